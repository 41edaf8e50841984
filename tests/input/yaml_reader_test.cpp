// The YAML reader: values, positions, "# Source:" comments, and what it refuses.
#include "input/yaml_reader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "input/input_error.hpp"

namespace deploysim::input {
namespace {

// The first problem of parsing `text`, as the CLI would print it.
std::string yaml_refusal(const std::string& text) {
  try {
    parse_yaml_documents(text, "in.yaml");
  } catch (const input::InputError& error) {
    return error.problems().front().message();
  }
  return "accepted";
}

TEST(YamlReader, ReadsValuesByTheCoreSchema) {
  const auto documents = parse_yaml_documents(
      "a: 1\nb: -2.5\nc: yes\nd: true\ne: ~\nf: '1'\ng: [x, 0x1f]\nh: !!str 3\n", "in.yaml");
  ASSERT_EQ(documents.size(), 1u);
  const auto& v = documents[0].value;
  EXPECT_EQ(v["a"], 1);
  EXPECT_EQ(v["b"], -2.5);
  EXPECT_EQ(v["c"], "yes");  // YAML 1.2: not a boolean
  EXPECT_EQ(v["d"], true);
  EXPECT_TRUE(v["e"].is_null());
  EXPECT_EQ(v["f"], "1");
  EXPECT_EQ(v["g"][1], 31);
  EXPECT_EQ(v["h"], "3");
}

TEST(YamlReader, PositionsOfMembersStartAtTheirKey) {
  const auto documents = parse_yaml_documents(
      "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
      "        - name: web\n          image: web:1.2\n",
      "in.yaml");
  const auto image = documents[0].positions.find("/spec/template/spec/containers/0/image");
  EXPECT_EQ(image.line, 7);
  EXPECT_EQ(image.column, 11);
  EXPECT_EQ(image.end_column, 25);
  // A pointer past what exists gives the nearest ancestor.
  EXPECT_EQ(documents[0].positions.find("/spec/template/spec/containers/0/env").line, 6);
}

TEST(YamlReader, SeveralDocumentsAndHelmSourceComments) {
  const std::string text =
      "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n"
      "# Source: chart/templates/b.yaml\n\nkind: B\n---\n---\nkind: C\n";
  const auto documents = parse_yaml_documents(text, "-");
  ASSERT_EQ(documents.size(), 3u);  // the empty document is skipped
  EXPECT_EQ(documents[0].source, "chart/templates/a.yaml");
  EXPECT_EQ(documents[0].source_line, 2);
  EXPECT_EQ(documents[1].source, "chart/templates/b.yaml");
  EXPECT_EQ(documents[1].positions.find("/kind").line - documents[1].source_line, 2);
  EXPECT_EQ(documents[2].source, "");
}

TEST(YamlReader, JsonIsYaml) {
  const auto documents = parse_yaml_documents(R"({"kind": "List", "items": [{"a": 1}]})", "x");
  EXPECT_EQ(documents[0].value["items"][0]["a"], 1);
}

TEST(YamlReader, AnchorsWithinBoundsAreCopied) {
  const auto documents = parse_yaml_documents("a: &x {b: 1}\nc: *x\n", "in.yaml");
  EXPECT_EQ(documents[0].value["c"]["b"], 1);
  EXPECT_EQ(documents[0].positions.find("/c").line, 2);
}

TEST(YamlReader, RefusesWithLineAndColumn) {
  EXPECT_EQ(yaml_refusal("a: 1\nb: [1, 2\n"),
            "in.yaml:3:1: malformed YAML: did not find expected ',' or ']' while parsing a flow "
            "sequence");
  EXPECT_EQ(yaml_refusal("a: 1\nb: 2\na: 3\n"),
            "in.yaml:3:1: duplicate key \"a\"; each key may appear once in a mapping");
  EXPECT_EQ(yaml_refusal("a: !!python/object:os.system x\n"),
            "in.yaml:1:4: unsupported YAML tag \"tag:yaml.org,2002:python/object:os.system\"; "
            "only YAML's own tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) are read");
  EXPECT_EQ(yaml_refusal("a: &x {b: 1}\nc:\n  <<: *x\n"),
            "in.yaml:3:3: merge keys (<<) are not supported; write the merged keys out");
  EXPECT_EQ(yaml_refusal("a: .inf\n"), "in.yaml:1:4: a number too large or not finite: .inf");
  EXPECT_EQ(yaml_refusal("a: *nothing\n"), "in.yaml:1:4: alias *nothing names no anchor");
  EXPECT_EQ(yaml_refusal("a: !!int x\n"), "in.yaml:1:4: \"x\" is not a valid !!int");
  EXPECT_EQ(yaml_refusal("? [a]\n: 1\n"),
            "in.yaml:1:3: expected a scalar mapping key, found a collection");
}

TEST(YamlReader, AliasBombIsRefusedNotExpanded) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const std::string previous(1, static_cast<char>(level - 1));
    text += std::string(1, level) + ": &" + std::string(1, level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
  }
  const std::string message = yaml_refusal(text);
  EXPECT_NE(message.find("expands to more than 2000000 values"), std::string::npos) << message;
}

TEST(YamlReader, DeepNestingIsRefused) {
  const std::string text = std::string(100, '[') + std::string(100, ']');
  EXPECT_NE(yaml_refusal(text).find("nesting deeper than 64 levels"), std::string::npos);
}

}  // namespace
}  // namespace deploysim::input
