// The command-line corpus (tests/data/bad/flags): every NAME.args holds a deploysim command line
// (shell syntax) with one bad value, NAME.expected exactly what the user reads on standard
// error. Each must be refused with exit code 2, naming the option as typed; none may hang, run
// out of memory or reach "internal error".

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(BadFlags, EveryCommandLineFailsWithItsExpectedMessage) {
  const auto names = cases();
  ASSERT_GE(names.size(), 20u);
  for (const auto& name : names) {
    const fs::path expected = kFlagsDir / (name + ".expected");
    ASSERT_TRUE(fs::exists(expected)) << name << " has no .expected file";
    const std::string args = without_final_newlines(read_text(kFlagsDir / (name + ".args")));
    const auto r = run_deploysim_in(kFlagsDir.string(), args);
    EXPECT_EQ(r.exit_code, 2) << name << ": deploysim " << args;
    EXPECT_EQ(without_final_newlines(r.err), without_final_newlines(read_text(expected)))
        << name << ": deploysim " << args;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << name;
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
