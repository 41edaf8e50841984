// Manifest and inventory parsing: strict, with pointers and "did you mean"; positions of values.
#include "check/manifest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check/position_index.hpp"
#include "check_fleet.hpp"
#include "input/file.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {
namespace {

const char* kMinimal = R"({"manifest_version": 1,
  "services": {"web": {"versions": {"v1": {}}}},
  "groups": {"web": {"service": "web", "version": "v1", "hosts": ["web-1"]}}})";

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "m.json");
  } catch (const input::InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(CheckManifest, ParsesMinimal) {
  const Manifest m = parse_manifest(kMinimal, "m.json");
  ASSERT_EQ(m.hosts.size(), 1u);
  EXPECT_EQ(m.hosts[0].version, "v1");
  EXPECT_EQ(m.hosts[0].pointer, "/groups/web/hosts/0");
}

TEST(CheckManifest, UnknownKeyHasDidYouMean) {
  std::string text = kMinimal;
  text.replace(text.find("\"hosts\""), 7, "\"hsots\"");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("unknown key \"hsots\"; did you mean \"hosts\"?"), std::string::npos)
      << error;
}

TEST(CheckManifest, UnknownVersionHasDidYouMean) {
  std::string text = kMinimal;
  text.replace(text.find("\"version\": \"v1\""), 15, "\"version\": \"V1\"");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("/groups/web/version"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean \"v1\""), std::string::npos) << error;
}

TEST(CheckManifest, MalformedDuplicateEmptyAndWrongVersion) {
  EXPECT_NE(error_of("{\"manifest_version\": 1,\n  \"services\": }").find("m.json:2:"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"manifest_version": 1, "manifest_version": 1})").find("duplicate"),
            std::string::npos);
  EXPECT_NE(error_of("  ").find("empty"), std::string::npos);
  EXPECT_NE(error_of(R"({"manifest_version": 2})").find("/manifest_version"), std::string::npos);
  EXPECT_NE(error_of("[1]").find("object"), std::string::npos);
  EXPECT_NE(error_of(std::string(200, '[') + std::string(200, ']')).find("m.json"),
            std::string::npos);
}

TEST(CheckManifest, InvalidUtf8IsAnError) {
  EXPECT_NE(error_of("{\"name\": \"\xff\"}").find("m.json"), std::string::npos);
}

TEST(CheckManifest, MissingFileAndDirectoryAreInputErrors) {
  EXPECT_THROW(input::read_text_file("/nonexistent/deploysim/manifest.json"), input::InputError);
  EXPECT_THROW(input::read_text_file("/tmp"), input::InputError);
}

TEST(CheckManifest, ScenarioIsAValidManifest) {
  const Manifest m = parse_manifest(
      input::read_text_file(DEPLOYSIM_SOURCE_DIR "/scenarios/knight_capital_2012.json"),
      "knight_capital_2012.json");
  EXPECT_TRUE(m.from_scenario);
  ASSERT_EQ(m.hosts.size(), 8u);
  EXPECT_EQ(m.hosts[7].name, "smars-8");
  EXPECT_EQ(m.hosts[7].version, "rlp");  // declared: the deployment's target
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_TRUE(m.flags[0].on);  // turned on by the timeline
}

TEST(CheckManifest, InventoryUnknownKeyAndBadTimestamp) {
  const auto error = [](const std::string& text) {
    try {
      parse_inventory(text, "i.json");
    } catch (const input::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error(R"({"inventory_version": 1, "hosts": [{"name": "a", "verison": "v1"}]})")
                .find("did you mean \"version\""),
            std::string::npos);
  EXPECT_NE(
      error(R"({"inventory_version": 1, "observed_at": "noon", "hosts": []})").find("/observed_at"),
      std::string::npos);
}

TEST(CheckPositions, FindsValuesByPointer) {
  const std::string text = "{\n  \"a\": [1, {\"b~/c\": \"x\"}],\n  \"é\": true\n}";
  const PositionIndex index(text);
  EXPECT_EQ(index.find("/a/1/b~0~1c").start.line, 2);
  EXPECT_EQ(index.find("/a/1/b~0~1c").start.column, 21);
  EXPECT_EQ(index.find("/a/0").start.column, 9);
  EXPECT_EQ(index.find("/a/0").end.column, 10);
  EXPECT_EQ(index.find("/é").start.line, 3);
  EXPECT_EQ(index.find("/é").start.column, 8);  // é counts as one column
  // A pointer to nothing resolves to its nearest ancestor.
  EXPECT_EQ(index.find("/a/7").start.column, 8);
  EXPECT_EQ(index.find("").start.line, 1);
  EXPECT_EQ(PositionIndex().find("/a").start.line, 0);
}

}  // namespace
}  // namespace deploysim::check

namespace deploysim::check {
namespace {

// The JSON schemas in core/check/ describe what the parser accepts: the examples pass both.
TEST(CheckSchemas, ExamplesValidateAgainstTheSchemas) {
  const std::string root = DEPLOYSIM_SOURCE_DIR;
  const std::string command =
      "/usr/bin/python3 -c \"import json, sys, jsonschema\n"
      "for s, d in zip(sys.argv[1::2], sys.argv[2::2]):\n"
      "    schema = json.load(open(s)); jsonschema.Draft7Validator.check_schema(schema)\n"
      "    jsonschema.validate(json.load(open(d)), schema)\" '" +
      root + "/core/check/manifest.schema.json' '" + root +
      "/examples/knight_capital/manifest.json' '" + root + "/core/check/inventory.schema.json' '" +
      root + "/examples/knight_capital/inventory.json'";
  EXPECT_EQ(std::system(command.c_str()), 0);
}

}  // namespace
}  // namespace deploysim::check

namespace deploysim::check {
namespace {

namespace fs = std::filesystem;

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What reading an inventory gave: its hosts in a comparable form, or the error.
std::string inventory_outcome(Inventory (*read)(std::string_view, const std::string&),
                              const std::string& text) {
  try {
    const Inventory inventory = read(text, "inventory.json");
    std::string out = "observed " + std::to_string(inventory.observed_ms.value_or(-1)) + "\n";
    for (const auto& host : inventory.hosts) {
      out += host.pointer + " " + host.name + " " + host.version + " " + host.config_hash + " " +
             host.config_revision + " " + std::to_string(host.converged_ms.value_or(-1)) + " " +
             (host.config ? nlohmann::json(*host.config).dump() : "-") + " " +
             nlohmann::json(host.flags).dump() + " " + nlohmann::json(host.ignore).dump() + "\n";
    }
    return out;
  } catch (const input::InputError& error) {
    return std::string("error: ") + error.what();
  }
}

// parse_inventory streams; whatever it accepts must read as the strict reader reads it, and what
// it does not accept must fail with the strict reader's message (the inventory fuzzer checks the
// same on random inputs).
TEST(CheckInventoryReaders, StreamingAndStrictReadersAgree) {
  std::vector<std::string> texts;
  for (const auto& entry :
       fs::directory_iterator(fs::path(DEPLOYSIM_SOURCE_DIR) / "fuzz" / "corpus" / "inventory")) {
    texts.push_back(file_text(entry.path()));
  }
  texts.push_back(
      fixtures::generate_check_fleet({.hosts = 400, .services = 5, .flags = 10}).inventory);
  std::size_t accepted = 0;
  for (const auto& text : texts) {
    const std::string streamed = inventory_outcome(&parse_inventory, text);
    EXPECT_EQ(streamed, inventory_outcome(&parse_inventory_strict, text)) << text.substr(0, 200);
    if (!streamed.starts_with("error: ")) ++accepted;
  }
  EXPECT_GE(accepted, 4u);
}

// Columns count code points even on a line far longer than the index's checkpoints, as in a
// minified inventory; escaped keys are found by their decoded name.
TEST(CheckPositions, LongLinesAndEscapedKeys) {
  std::string text = R"({"inventory_version": 1, "hosts": [)";
  for (int i = 0; i < 400; ++i) {
    text += std::string(i > 0 ? "," : "") + R"({"name": "hé-)" + std::to_string(i) +
            R"(", "note": "é"})";
  }
  text += "]}";
  const PositionIndex index(text);
  const auto at = text.find(R"("hé-399")");
  const auto columns =
      1 + std::count_if(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at),
                        [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  EXPECT_EQ(index.find("/hosts/399/name").start.line, 1);
  EXPECT_EQ(index.find("/hosts/399/name").start.column, columns);
  EXPECT_EQ(index.find("/hosts/399/note").start.column, columns + 18);
  const PositionIndex escaped(R"({"w\u00e9b~/x": {"a\"b": 1}})");
  EXPECT_EQ(escaped.find("/wéb~0~1x/a\"b").start.column, 26);
}

// Inputs the fuzzers (docs/fuzzing.md) found problems with, and other bad checker inputs:
// tests/data/bad/check_manifest/NAME.json is read as a manifest, check_inventory/NAME.json as an
// inventory, and each must fail with exactly the message in NAME.expected.
TEST(CheckFuzzRegressions, BadInputsFailWithTheExpectedMessage) {
  std::size_t files = 0;
  for (const char* kind : {"check_manifest", "check_inventory"}) {
    const fs::path dir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / kind;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      ++files;
      const std::string name = entry.path().filename().string();
      std::string expected = file_text(fs::path(entry.path()).replace_extension(".expected"));
      while (!expected.empty() && expected.back() == '\n') expected.pop_back();
      const std::string text = file_text(entry.path());
      try {
        if (std::string(kind) == "check_manifest") {
          parse_manifest(text, name);
        } else {
          parse_inventory(text, name);
        }
        ADD_FAILURE() << name << " was accepted";
      } catch (const input::InputError& error) {
        EXPECT_EQ(error.what(), expected) << name;
      }
    }
  }
  EXPECT_GE(files, 1u);
}

}  // namespace
}  // namespace deploysim::check
