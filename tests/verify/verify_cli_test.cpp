// `deploysim verify` and `deploysim run --faults` as a user runs them: the bad-input corpus
// (tests/data/bad/verify: NAME.args with NAME.expected, exit 2), the exit codes of a verdict, and
// a counterexample file that `run --faults` replays to the same summary.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "run_command.hpp"

namespace deploysim::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "verify";
const std::string kSource = DEPLOYSIM_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(VerifyCli, EveryBadInputExitsTwoWithItsMessage) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".args") continue;
    ++cases;
    auto args = read_text(entry.path());
    while (!args.empty() && args.back() == '\n') args.pop_back();
    const auto result = run_deploysim_in(kCorpus.string(), args);
    auto expected = entry.path();
    expected.replace_extension(".expected");
    EXPECT_EQ(result.exit_code, 2) << entry.path().filename();
    EXPECT_EQ(result.err, read_text(expected)) << entry.path().filename();
  }
  EXPECT_GE(cases, 15);
}

TEST(VerifyCli, ExitCodesAndReplay) {
  const auto dir = fs::temp_directory_path() / ("verify_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto cx = (dir / "cx.json").string();
  const std::string knight = kSource + "/scenarios/knight_capital_2012.json";
  const auto violated = run_deploysim("verify '" + knight +
                                      "' -k 1 --quiet --format json --counterexample '" + cx + "'");
  ASSERT_EQ(violated.exit_code, 1) << violated.err;
  const auto report = nlohmann::json::parse(violated.out);
  EXPECT_EQ(report["verdict"], "violated");
  const auto replay = run_deploysim("run '" + knight + "' --json --faults '" + cx + "'");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const auto run = nlohmann::json::parse(replay.out);
  EXPECT_EQ(run["summary"], report["counterexample"]["summary"]);
  const auto verified = run_deploysim(
      "verify '" + kSource + "/scenarios/knight_capital_2012_preflight_gate.json' -k 1 --quiet");
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find(": verified"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deploysim::testing
