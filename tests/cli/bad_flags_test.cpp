// The command-line corpus (tests/data/bad/flags): every NAME.args holds a deploysim command line
// (shell syntax) with one bad value, NAME.expected exactly what the user reads on standard
// error. Each must be refused with exit code 2, naming the option as typed; none may hang, run
// out of memory or reach "internal error". The layout is described in
// tests/data/bad/flags/README.md: what cannot be committed (a FIFO, a link to /dev/zero, a 50 MB
// file, a closed pipe) is made by NAME.setup, and NAME.check judges what the run left behind.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hpp"

namespace deploysim::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kFlagsDir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "flags";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string without_final_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::vector<std::string> cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kFlagsDir)) {
    if (entry.path().extension() == ".args") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct CaseResult {
  int exit_code = -1;
  std::string err;
  std::string check_output;  // what a failed NAME.check printed
  bool setup_failed = false;
  bool check_failed = false;
};

std::string quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

// Runs one case in a scratch directory (or, without NAME.setup, in the corpus directory, where
// the committed command lines name files relative to it). Setup and command share one shell, so
// that setup can open descriptors, set a ulimit or define variables the command line uses; the
// runner's redirections come first, so that the command line's own (< /dev/zero, > /dev/full)
// win.
CaseResult run_case(const std::string& name, const std::string& args) {
  const fs::path scratch =
      fs::temp_directory_path() / ("deploysim-flags-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  const bool has_setup = fs::exists(kFlagsDir / (name + ".setup"));
  const std::string environment =
      "FLAGS=" + quoted(kFlagsDir) + " SOURCE=" + quoted(DEPLOYSIM_SOURCE_DIR) +
      " DEPLOYSIM=" + quoted(DEPLOYSIM_BINARY) + "; export FLAGS SOURCE DEPLOYSIM; ";
  std::string command = environment + "cd " + quoted(has_setup ? scratch : kFlagsDir) + " && ";
  if (has_setup) command += "{ . " + quoted(kFlagsDir / (name + ".setup")) + " || exit 97; } && ";
  command += "</dev/null >" + quoted(scratch / ".stdout") + " 2>" + quoted(scratch / ".stderr") +
             " \"$DEPLOYSIM\" " + args;
  CaseResult result;
  const int status = std::system(("exec 2>/dev/null; " + command).c_str());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.setup_failed = result.exit_code == 97;
  result.err = read_text(scratch / ".stderr");
  const fs::path check = kFlagsDir / (name + ".check");
  if (fs::exists(check)) {
    const int checked = std::system((environment + "cd " + quoted(scratch) + " && . " +
                                     quoted(check) + " >" + quoted(scratch / ".check") + " 2>&1")
                                        .c_str());
    result.check_failed = checked != 0;
    result.check_output = read_text(scratch / ".check");
  }
  fs::remove_all(scratch);
  return result;
}

int expected_exit_code(const std::string& name) {
  const fs::path file = kFlagsDir / (name + ".exit");
  return fs::exists(file) ? std::stoi(read_text(file)) : 2;
}

TEST(BadFlags, EveryCommandLineFailsWithItsExpectedMessage) {
  const auto names = cases();
  ASSERT_GE(names.size(), 20u);
  for (const auto& name : names) {
    const fs::path expected = kFlagsDir / (name + ".expected");
    ASSERT_TRUE(fs::exists(expected)) << name << " has no .expected file";
    const std::string args = without_final_newlines(read_text(kFlagsDir / (name + ".args")));
    const auto r = run_case(name, args);
    EXPECT_FALSE(r.setup_failed) << name << ": its .setup failed";
    EXPECT_EQ(r.exit_code, expected_exit_code(name)) << name << ": deploysim " << args;
    EXPECT_EQ(without_final_newlines(r.err), without_final_newlines(read_text(expected)))
        << name << ": deploysim " << args;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << name;
    EXPECT_FALSE(r.check_failed) << name << ": its .check failed: " << r.check_output;
  }
}

// The limits are on the product, not on each factor: the same rate over a shorter horizon runs.
TEST(BadFlags, WorkWithinTheLimitStillRuns) {
  const auto r = run_deploysim("pipeline --changes-per-day 5000 --horizon 30d --replicas 1 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto refused =
      run_deploysim("pipeline --changes-per-day 5000 --horizon 2001d --replicas 1 --json");
  EXPECT_EQ(refused.exit_code, 2);
}

// --max-input-size moves the limit both ways: the corpus has a file refused under 2k, and the
// same file reads under 1MiB.
TEST(BadFlags, MaxInputSizeRaisesTheLimit) {
  const auto r =
      run_deploysim("--max-input-size 1MiB validate '" + std::string(DEPLOYSIM_SOURCE_DIR) +
                    "/scenarios/knight_capital_2012.json'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace deploysim::testing
