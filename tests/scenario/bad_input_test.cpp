// The bad-input corpus (tests/data/bad): every NAME.json holds one mistake a person could make,
// NAME.expected the exact message they get, and NAME.set (when present) the --set overrides to
// load it with. Design principle 6: one error type, naming the file, the place and what was
// expected; never a crash or another exception type.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "files.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "scenario/load.hpp"

namespace deploysim::scenario {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(DEPLOYSIM_TEST_DATA) / "bad";

// Problems about the input as a whole, which no pointer or line can locate more closely.
const std::vector<std::string> kWholeInputProblems = {
    "json_empty_file.json",     // there is nothing to point at
    "json_not_an_object.json",  // the document itself is wrong
    "set_missing_equals.json",  // the --set text, not the file, is malformed
};

// Non-empty lines, without a trailing "\r" so that files edited on Windows still compare.
std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(testing::read_file_text(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// Makes `dir` the working directory for the lifetime of the guard, so that messages name files
// exactly as `deploysim validate NAME.json` run in that directory does.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) {
    fs::current_path(dir);
  }
  ~WorkingDirectory() {
    std::error_code ignored;
    fs::current_path(previous_, ignored);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

// What loading a file did: the InputError's message and problems, or how it failed otherwise.
struct Outcome {
  bool input_error = false;
  std::string message;
  std::vector<input::InputProblem> problems;
  std::string other_failure;
};

Outcome load_in(const fs::path& dir, const std::string& name,
                const std::vector<std::string>& overrides = {}) {
  Outcome outcome;
  const WorkingDirectory in_dir(dir);
  try {
    load_scenario(name, overrides);
    outcome.other_failure = "loaded without an error";
  } catch (const input::InputError& error) {
    outcome.input_error = true;
    outcome.message = error.what();
    outcome.problems = error.problems();
  } catch (const std::exception& error) {
    outcome.other_failure = std::string("threw another exception type: ") + error.what();
  } catch (...) {
    outcome.other_failure = "threw something that is not an std::exception";
  }
  return outcome;
}

std::vector<std::string> files_with_extension(const fs::path& dir, const std::string& extension) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> bad_files() {
  return files_with_extension(kBadDir, ".json");
}

// Whether a problem says what was wanted: an "expected ...", or a suggestion for an unknown key.
bool says_what_was_expected(const input::InputProblem& problem) {
  if (!problem.expected.empty()) return true;
  if (problem.detail.find("expected") != std::string::npos) return true;
  if (problem.hint.starts_with("did you mean") || problem.hint.starts_with("allowed keys")) {
    return true;
  }
  // "duplicate key "hosts"": the fix, keeping one of them, needs no words.
  return problem.detail.starts_with("duplicate key ");
}

TEST(BadInputCorpus, CoversEnoughMistakes) {
  EXPECT_GE(bad_files().size(), 36u);
}

TEST(BadInputCorpus, EveryFileHasItsExpectedMessageAndNothingIsOrphaned) {
  for (const auto& name : bad_files()) {
    const fs::path stem = kBadDir / fs::path(name).stem();
    EXPECT_TRUE(fs::exists(fs::path(stem) += ".expected")) << name << " has no .expected file";
  }
  for (const char* extension : {".expected", ".set"}) {
    for (const auto& name : files_with_extension(kBadDir, extension)) {
      const fs::path json = fs::path(kBadDir / fs::path(name).stem()) += ".json";
      EXPECT_TRUE(fs::exists(json)) << name << " belongs to no .json file";
    }
  }
}

class BadInputFile : public ::testing::TestWithParam<std::string> {
 protected:
  Outcome load() const {
    const fs::path stem = kBadDir / fs::path(GetParam()).stem();
    const fs::path set_file = fs::path(stem) += ".set";
    const auto overrides = fs::exists(set_file) ? read_lines(set_file) : std::vector<std::string>();
    return load_in(kBadDir, GetParam(), overrides);
  }
  std::string expected_message() const {
    const fs::path stem = kBadDir / fs::path(GetParam()).stem();
    return join_lines(read_lines(fs::path(stem) += ".expected"));
  }
};

TEST_P(BadInputFile, FailsWithTheExpectedMessage) {
  const Outcome outcome = load();
  ASSERT_TRUE(outcome.input_error) << GetParam() << ": " << outcome.other_failure;
  EXPECT_EQ(outcome.message, expected_message());
}

TEST_P(BadInputFile, EveryProblemNamesTheFileThePlaceAndWhatWasExpected) {
  const Outcome outcome = load();
  ASSERT_TRUE(outcome.input_error) << GetParam() << ": " << outcome.other_failure;
  ASSERT_FALSE(outcome.problems.empty());
  const bool whole_input = std::find(kWholeInputProblems.begin(), kWholeInputProblems.end(),
                                     GetParam()) != kWholeInputProblems.end();
  for (const input::InputProblem& problem : outcome.problems) {
    EXPECT_EQ(problem.file, GetParam()) << problem.message();
    if (!whole_input) {
      EXPECT_TRUE(problem.pointer.starts_with("/") || problem.line > 0) << problem.message();
    }
    EXPECT_TRUE(says_what_was_expected(problem)) << problem.message();
    // One line per problem: the CLI prints each after "error: ".
    EXPECT_EQ(problem.message().find('\n'), std::string::npos) << problem.message();
  }
}

// gtest names allow letters, digits and underscores only.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!keep) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputFile, ::testing::ValuesIn(bad_files()), test_name);

// ---- Inputs too large to keep in the repository: written at run time ----

class GeneratedInput : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    // Random, because other build directories may run the same test at the same time.
    dir_ = fs::temp_directory_path() / (std::string("deploysim-bad-input-") + test->name() + "-" +
                                        std::to_string(std::random_device()()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  fs::path dir_;
};

std::string repeated(const std::string& text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

TEST_F(GeneratedInput, HundredThousandNestedArraysAreRefusedAtTheDepthLimit) {
  constexpr std::size_t kLevels = 100'000;
  write("deep.json", repeated("[", kLevels) + repeated("]", kLevels));
  const Outcome outcome = load_in(dir_, "deep.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_EQ(outcome.message, "deep.json: " + repeated("/0", input::kMaxJsonDepth) +
                                 ": nested deeper than " + std::to_string(input::kMaxJsonDepth) +
                                 " levels");
}

TEST_F(GeneratedInput, HundredThousandNestedObjectsInsideAScenarioAreRefused) {
  constexpr std::size_t kLevels = 100'000;
  write("deep.json", "{\"name\": \"deep\", \"services\": " + repeated("{\"a\": ", kLevels) + "1" +
                         repeated("}", kLevels) + "}");
  const Outcome outcome = load_in(dir_, "deep.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  // The value that would open level 65 is refused: its pointer has 64 keys, "services" first.
  EXPECT_EQ(outcome.message, "deep.json: /services" + repeated("/a", input::kMaxJsonDepth - 1) +
                                 ": nested deeper than " + std::to_string(input::kMaxJsonDepth) +
                                 " levels");
}

TEST_F(GeneratedInput, DeeplyNestedOverrideValueIsNoCrash) {
  write("s.json",
        R"({"name": "s", "services": {"web": {"versions": {"v1": {}}}},
            "fleet": {"web": {"hosts": 1, "service": "web", "version": "v1"}}})");
  // Too deep to be JSON, so the value is taken as a string; the scenario then refuses it.
  const std::string value = repeated("[", 100'000) + repeated("]", 100'000);
  const Outcome outcome = load_in(dir_, "s.json", {"fleet.web.hosts=" + value});
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_TRUE(outcome.message.starts_with(
      "s.json: /fleet/web/hosts: expected a number of hosts from 1 to 10000000, found \"[[["))
      << outcome.message.substr(0, 200);
}

TEST_F(GeneratedInput, VariantsExtendingEachOtherInALoopAreRefused) {
  write("a.json", R"({"extends": "b.json", "name": "a"})");
  write("b.json", R"({"extends": "a.json", "name": "b"})");
  const Outcome outcome = load_in(dir_, "a.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_EQ(outcome.message,
            "a.json: /extends: expected a chain of at most 8 \"extends\", found \"b.json\"; does "
            "a file extend itself?");
}

TEST_F(GeneratedInput, AMalformedBaseIsReportedUnderItsOwnName) {
  write("base.json", "{\"name\": \"base\",}");
  write("variant.json", R"({"extends": "base.json", "name": "variant"})");
  const Outcome outcome = load_in(dir_, "variant.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_EQ(outcome.message,
            "base.json:1:17: malformed JSON: unexpected '}'; expected string literal; JSON allows "
            "no comma before '}'");
}

TEST_F(GeneratedInput, AFileThatIsADirectoryOrMissingIsAnInputError) {
  fs::create_directories(dir_ / "dir.json");
  EXPECT_EQ(load_in(dir_, "dir.json").message, "dir.json: cannot read file: it is a directory");
  const Outcome missing = load_in(dir_, "missing.json");
  ASSERT_TRUE(missing.input_error) << missing.other_failure;
  EXPECT_TRUE(missing.message.starts_with("missing.json: cannot read file: ")) << missing.message;
}

TEST_F(GeneratedInput, ManyMistakesInOneObjectAreReportedTogether) {
  write("typos.json",
        R"({"name": "typos", "services": {"web": {"versions": {"v1": {}}}},
            "fleet": {"web": {"hosts": 1, "service": "web", "version": "v1",
                              "zoen": "a", "traffic_wieght": 2}}})");
  const Outcome outcome = load_in(dir_, "typos.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_EQ(outcome.message,
            "typos.json: /fleet/web: unknown key \"traffic_wieght\"; did you mean "
            "\"traffic_weight\"?\n"
            "typos.json: /fleet/web: unknown key \"zoen\"; did you mean \"zone\"?");
}

// ---- Scripted faults on large fleets: the name check must not spell out every host ----

TEST_F(GeneratedInput, ScriptedFaultOnTenMillionHostsIsCheckedByPattern) {
  write("big.json",
        R"({"name": "big", "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
            "fleet": {"web": {"hosts": 10000000, "service": "web", "version": "v1",
                              "name_pattern": "node{i}.{group}"}},
            "deployment": {"service": "web", "to": "v2",
                           "strategy": {"type": "manual", "faults": [
                             {"skip": "node9999999.web"}, {"misconfigure": "node10000000.web"},
                             {"skip": "node10000001.web"}]}}})");
  const Outcome outcome = load_in(dir_, "big.json");
  ASSERT_TRUE(outcome.input_error) << outcome.other_failure;
  EXPECT_EQ(outcome.message,
            "big.json: /deployment/strategy/faults/2/skip: expected the name of a host in the "
            "fleet, found \"node10000001.web\"; hosts are named by each group's name_pattern: "
            "\"node1.web\" to \"node10000000.web\"");
}

// ---- --set, directly ----

TEST(OverrideErrors, NameTheFileAndTheAssignment) {
  auto document = input::parse_json_text(R"({"timeline": [{"at": "+1h"}], "name": "x"})", "s.json");
  auto message_of = [&](const std::string& assignment) {
    try {
      apply_override(document, assignment, "s.json");
    } catch (const input::InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_of("description=new"), "no error");  // the last key may be new
  EXPECT_EQ(message_of("timelin.0.at=+2h"),
            "s.json: override timelin.0.at=+2h: expected a key of this object, found \"timelin\"; "
            "did you mean \"timeline\"?");
  EXPECT_EQ(message_of("timeline.-1.at=+2h"),
            "s.json: /timeline: override timeline.-1.at=+2h: expected an index from 0 to 0, found "
            "\"-1\"");
  EXPECT_EQ(message_of("timeline..at=+2h"),
            "s.json: /timeline: override timeline..at=+2h: expected keys joined by single dots, "
            "found an empty key");
  EXPECT_EQ(message_of("=5"),
            "s.json: override \"=5\": expected PATH=VALUE such as "
            "deployment.strategy.batch_size=5, found no PATH before \"=\"; PATH is keys joined "
            "by dots; VALUE is JSON, or else taken as a string");
}

}  // namespace
}  // namespace deploysim::scenario
