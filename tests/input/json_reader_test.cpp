#include "input/json_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "input/input_error.hpp"

namespace deploysim::input {
namespace {

using engine::Distribution;
using engine::Duration;
using nlohmann::json;

const std::filesystem::path kJsonData = std::filesystem::path(DEPLOYSIM_TEST_DATA) / "json";

// The InputError thrown by `action`, or a failed expectation if there is none.
input::InputError error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const input::InputError& error) {
    return error;
  }
  ADD_FAILURE() << "expected an InputError";
  return input::InputError(input::InputProblem{.detail = "no error"});
}

std::string message_of(const std::function<void()>& action) {
  return error_of(action).what();
}

// A reader over a document parsed from `text`; the document lives as long as the fixture.
class ReaderTest : public ::testing::Test {
 protected:
  input::ObjectReader read(const std::string& text) {
    doc_ = input::parse_json_text(text, "s.json");
    return input::ObjectReader(doc_, "s.json", "");
  }
  json doc_;
};

// ---- InputProblem and InputError ----

TEST(InputProblemTest, ExpectedAndFound) {
  const input::InputProblem problem{.file = "knight.json",
                                    .pointer = "/deployment/strategy/batch_size",
                                    .expected = "a positive integer",
                                    .found = "-3"};
  EXPECT_EQ(problem.message(),
            "knight.json: /deployment/strategy/batch_size: expected a positive integer, found -3");
}

TEST(InputProblemTest, DetailWithHint) {
  const input::InputProblem problem{.file = "knight.json",
                                    .pointer = "/deployment",
                                    .detail = "unknown key \"stratgy\"",
                                    .hint = "did you mean \"strategy\"?"};
  EXPECT_EQ(problem.message(),
            "knight.json: /deployment: unknown key \"stratgy\"; did you mean \"strategy\"?");
}

TEST(InputProblemTest, LineAndColumnAndRootPointer) {
  const input::InputProblem problem{
      .file = "knight.json", .detail = "malformed JSON: unexpected '}'", .line = 12, .column = 5};
  EXPECT_EQ(problem.message(), "knight.json:12:5: malformed JSON: unexpected '}'");
  EXPECT_EQ(
      (input::InputProblem{.file = "a.json", .expected = "an object", .found = "null"}.message()),
      "a.json: expected an object, found null");
  EXPECT_EQ((input::InputProblem{.pointer = "/x", .expected = "a string"}.message()),
            "/x: expected a string");
}

TEST(InputProblemTest, AKeyWithControlCharactersStaysOnOneLine) {
  // A key may hold a newline (JSON's "\n"); the message is still one line, as JSON writes it.
  const input::InputProblem problem{
      .file = "pipeline.json", .pointer = "/tra\nnes\x01", .detail = "unknown key"};
  EXPECT_EQ(problem.message(), "pipeline.json: /tra\\nnes\\u0001: unknown key");
  // So does a value quoted raw by whoever wrote the detail.
  const input::InputProblem raw{.file = "p.json",
                                .detail = "\"lognor\tmal\" is not a distribution"};
  EXPECT_EQ(raw.message(), "p.json: \"lognor\\tmal\" is not a distribution");
}

TEST(InputErrorTest, JoinsProblemsOneLineEach) {
  const input::InputError error(std::vector<input::InputProblem>{
      {.file = "a.json", .pointer = "/x", .expected = "a string", .found = "3"},
      {.file = "a.json", .detail = "unknown key \"y\""}});
  EXPECT_STREQ(error.what(), "a.json: /x: expected a string, found 3\na.json: unknown key \"y\"");
  ASSERT_EQ(error.problems().size(), 2u);
  EXPECT_EQ(error.problems()[0].pointer, "/x");
  const input::InputError copy = error;  // NOLINT: copying must keep the problems
  EXPECT_EQ(copy.problems().size(), 2u);
  const std::runtime_error& base = error;
  EXPECT_STREQ(base.what(), error.what());
}

TEST(InputErrorTest, CollectorGathersAndThrows) {
  input::ProblemCollector collector;
  collector.throw_if_any();  // nothing gathered: no throw
  collector.check(
      [] { throw input::InputError(input::InputProblem{.file = "a", .detail = "one"}); });
  collector.check([] {});
  collector.add(input::InputProblem{.file = "a", .detail = "two"});
  EXPECT_EQ(collector.problems().size(), 2u);
  EXPECT_EQ(message_of([&] { collector.throw_if_any(); }), "a: one\na: two");
}

// ---- describe_json ----

TEST(DescribeJsonTest, Scalars) {
  EXPECT_EQ(input::describe_json(json(nullptr)), "null");
  EXPECT_EQ(input::describe_json(json(true)), "true");
  EXPECT_EQ(input::describe_json(json(-3)), "-3");
  EXPECT_EQ(input::describe_json(json(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(input::describe_json(json(2.5)), "2.5");
  EXPECT_EQ(input::describe_json(json(std::ldexp(1.0, 70))), "1180591620717411303424");
  EXPECT_EQ(input::describe_json(json(1e300)), "1e+300");
  EXPECT_EQ(input::describe_json(json(std::numeric_limits<double>::infinity())), "infinity");
}

TEST(DescribeJsonTest, StringsAreQuotedEscapedAndCut) {
  EXPECT_EQ(input::describe_json(json("canry")), "\"canry\"");
  EXPECT_EQ(input::describe_json(json("say \"hi\"\n")), R"("say \"hi\"\n")");
  EXPECT_EQ(input::describe_json(json(std::string(40, 'a'))), '"' + std::string(40, 'a') + '"');
  EXPECT_EQ(input::describe_json(json(std::string(41, 'a'))), '"' + std::string(37, 'a') + "...\"");
  // 36 ASCII bytes then "é" (2 bytes) straddling the cut: the cut moves before it.
  const std::string accented = std::string(36, 'a') + "\xC3\xA9" + std::string(10, 'b');
  EXPECT_EQ(input::describe_json(json(accented)), '"' + std::string(36, 'a') + "...\"");
}

TEST(DescribeJsonTest, Containers) {
  EXPECT_EQ(input::describe_json(json::object()), "an object");
  EXPECT_EQ(input::describe_json(json{{"a", 1}}), "an object");
  EXPECT_EQ(input::describe_json(json::array()), "an empty array");
  EXPECT_EQ(input::describe_json(json::array({1, 2, 3})), "an array of 3");
}

// ---- did_you_mean ----

TEST(DidYouMeanTest, SuggestsCloseCandidates) {
  const std::vector<std::string> keys{"service", "to", "strategy", "preflight_gate"};
  EXPECT_EQ(input::did_you_mean("stratgy", keys), "strategy");   // deletion
  EXPECT_EQ(input::did_you_mean("stratgey", keys), "strategy");  // transposition counts once
  EXPECT_EQ(input::did_you_mean("Strategy", keys), "strategy");  // case ignored
  EXPECT_EQ(input::did_you_mean("preflightGate", keys), "preflight_gate");
  EXPECT_EQ(input::did_you_mean("tp", keys), "to");
}

TEST(DidYouMeanTest, StaysQuietWhenNothingIsClose) {
  const std::vector<std::string> keys{"service", "strategy"};
  EXPECT_EQ(input::did_you_mean("colour", keys), "");
  EXPECT_EQ(input::did_you_mean("strxxgy", keys), "");  // 2 edits allowed for 7 letters, 3 needed
  EXPECT_EQ(input::did_you_mean("x", {}), "");
}

// ---- child_pointer ----

TEST(ChildPointerTest, EscapesPerRfc6901) {
  EXPECT_EQ(input::child_pointer("", "deployment"), "/deployment");
  EXPECT_EQ(input::child_pointer("/a", "b/c"), "/a/b~1c");
  EXPECT_EQ(input::child_pointer("/a", "m~n"), "/a/m~0n");
  EXPECT_EQ(input::child_pointer("", "~1"), "/~01");  // "~" first, so "~1" does not become "/"
  EXPECT_EQ(input::child_pointer("", ""), "/");
  EXPECT_EQ(input::child_pointer("/timeline", std::size_t{3}), "/timeline/3");
  // The escaped pointer finds the key again.
  const json doc{{"a/b~c", 1}};
  EXPECT_EQ(doc.at(json::json_pointer(input::child_pointer("", "a/b~c"))), 1);
}

// ---- parse_json_text and load_json_file ----

TEST(ParseJsonTest, AcceptsValidJson) {
  const json doc = input::parse_json_text(R"({"a": [1, 2.5, "x", null, true], "b": {}})", "t.json");
  EXPECT_EQ(doc["a"].size(), 5u);
  EXPECT_TRUE(doc["b"].is_object());
  EXPECT_EQ(input::parse_json_text("  42 ", "t.json"), 42);
}

TEST(ParseJsonTest, MalformedJsonHasLineAndColumn) {
  EXPECT_EQ(message_of([] { input::parse_json_text("{\n  \"a\": 1\n  \"b\": 2\n}", "t.json"); }),
            "t.json:3:3: malformed JSON: unexpected string literal; expected '}'");
  // The column is where the unexpected string starts, escaped quotes and all.
  EXPECT_EQ(message_of([] { input::parse_json_text(R"({"a": 1 "b\"c": 2})", "t.json"); }),
            "t.json:1:9: malformed JSON: unexpected string literal; expected '}'");
  EXPECT_EQ(message_of([] { input::parse_json_text("[1 2]", "t.json"); }),
            "t.json:1:4: malformed JSON: unexpected number literal; expected ']'");
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": 1} x", "t.json"); }),
            "t.json:1:10: malformed JSON: invalid literal \"x\"; expected end of input");
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": trux}", "t.json"); }),
            "t.json:1:7: malformed JSON: invalid literal \"trux\"");
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": ", "t.json"); }),
            "t.json:1:7: malformed JSON: unexpected end of input; "
            "expected '[', '{', or a literal");
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\":\n  tru\n}", "t.json"); }),
            "t.json:2:3: malformed JSON: invalid literal \"tru\"");
  EXPECT_EQ(message_of([] { input::parse_json_text("[nul", "t.json"); }),
            "t.json:1:2: malformed JSON: invalid literal \"nul\"");
  EXPECT_EQ(message_of([] { input::parse_json_text("[-]", "t.json"); }),
            "t.json:1:3: malformed JSON: invalid number; expected digit after '-'; "
            "last read: '-]'");
  const input::InputError error = error_of([] { input::parse_json_text("{\n\n   ]", "t.json"); });
  ASSERT_EQ(error.problems().size(), 1u);
  EXPECT_EQ(error.problems()[0].line, 3);
  EXPECT_EQ(error.problems()[0].column, 4);
  EXPECT_EQ(error.problems()[0].pointer, "");
}

TEST(ParseJsonTest, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes; the unexpected 2 is the 11th character of its line.
  EXPECT_EQ(message_of([] { input::parse_json_text("[\"\xC3\xA9\xC3\xA9\",  1 2]", "t.json"); }),
            "t.json:1:11: malformed JSON: unexpected number literal; expected ']'");
}

TEST(ParseJsonTest, HintsForCommonMistakes) {
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": 1,}", "t.json"); }),
            "t.json:1:9: malformed JSON: unexpected '}'; expected string literal; "
            "JSON allows no comma before '}'");
  EXPECT_EQ(message_of([] { input::parse_json_text("[1,\n  ]", "t.json"); }),
            "t.json:2:3: malformed JSON: unexpected ']'; expected '[', '{', or a literal; "
            "JSON allows no comma before ']'");
  EXPECT_EQ(message_of([] { input::parse_json_text("// note\n{}", "t.json"); }),
            "t.json:1:1: malformed JSON: invalid literal \"/\"; JSON allows no comments");
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": 'x'}", "t.json"); }),
            "t.json:1:7: malformed JSON: invalid literal \"'\"; JSON strings take double quotes");
  EXPECT_EQ(message_of([] { input::parse_json_text(" \n\t", "t.json"); }),
            "t.json: expected a JSON document, found an empty file");
}

TEST(ParseJsonTest, BadStringsAreReportedReadably) {
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": \"x\ny\"}", "t.json"); }),
            "t.json:1:9: malformed JSON: invalid string: control character U+000A (LF) must be "
            "escaped to \\u000A or \\n; last read: '\"x<U+000A>'");
  // The offending byte is not UTF-8; the message replaces it so that it stays printable.
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"a\": \"\xFF\"}", "t.json"); }),
            "t.json:1:8: malformed JSON: invalid string: ill-formed UTF-8 byte; "
            "last read: '\"\xEF\xBF\xBD'");
}

TEST(ParseJsonTest, NestingBeyondTheLimitIsRefused) {
  const auto nested = [](std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_NO_THROW(input::parse_json_text(nested(kMaxJsonDepth), "t.json"));
  std::string pointer;
  for (std::size_t i = 0; i < kMaxJsonDepth; ++i) pointer += "/0";
  EXPECT_EQ(message_of([&] { input::parse_json_text(nested(kMaxJsonDepth + 1), "t.json"); }),
            "t.json: " + pointer + ": nested deeper than 64 levels");
  // Deep enough to overflow the stack of any recursive parser or destructor.
  const std::string deep(200'000, '[');
  EXPECT_EQ(message_of([&] { input::parse_json_text(deep, "t.json"); }),
            "t.json: " + pointer + ": nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
  const input::InputError error = error_of([&] { input::parse_json_text(objects, "t.json"); });
  ASSERT_EQ(error.problems().size(), 1u);
  EXPECT_EQ(error.problems()[0].pointer.size(), 2 * kMaxJsonDepth);
  EXPECT_EQ(error.problems()[0].detail, "nested deeper than 64 levels");
}

TEST(ParseJsonTest, NumbersBeyondDoubleAreRefusedAtTheirPointer) {
  EXPECT_EQ(message_of([] { input::parse_json_text("{\"loss\": 1e400}", "t.json"); }),
            "t.json:1:10: /loss: expected a finite number, found 1e400");
  EXPECT_EQ(
      message_of([] { input::parse_json_text("{\"a\": {\"b\": [0,\n -1E+999]}}", "t.json"); }),
      "t.json:2:2: /a/b/1: expected a finite number, found -1E+999");
  EXPECT_EQ(message_of([] { input::parse_json_text("1e400", "t.json"); }),
            "t.json:1:1: expected a finite number, found 1e400");
  EXPECT_EQ(input::parse_json_text("1e-400", "t.json"), 0.0);  // underflow is harmless
}

TEST(ParseJsonTest, IntegersBeyondInt64ParseAsNumbers) {
  // 2^70: nlohmann falls back to a double; reading it as an integer is what fails.
  const json doc = input::parse_json_text(R"({"n": 1180591620717411303424})", "t.json");
  EXPECT_DOUBLE_EQ(doc["n"].get<double>(), std::ldexp(1.0, 70));
}

TEST(ParseJsonTest, DuplicateKeysAreErrors) {
  EXPECT_EQ(message_of([] { input::parse_json_text(R"({"a": 1, "a": 2})", "t.json"); }),
            "t.json: duplicate key \"a\"");
  const input::InputError error = error_of([] {
    input::parse_json_text(R"({"s/t": {"x": 1, "y": {"x": 1}, "x": 2}, "b": [{"k": 1, "k": 1}]})",
                           "t.json");
  });
  EXPECT_STREQ(error.what(),
               "t.json: /s~1t: duplicate key \"x\"\nt.json: /b/0: duplicate key \"k\"");
}

TEST(LoadJsonTest, ReadsAFile) {
  const json doc = input::load_json_file(kJsonData / "valid.json");
  EXPECT_EQ(doc["seed"], 42);
  EXPECT_EQ(doc["timeline"].size(), 2u);
}

TEST(LoadJsonTest, MalformedFileNamesFileLineAndColumn) {
  const std::filesystem::path path = kJsonData / "malformed.json";
  EXPECT_EQ(message_of([&] { input::load_json_file(path); }),
            path.string() + ":5:35: malformed JSON: unexpected string literal; expected '}'");
  const std::filesystem::path trailing = kJsonData / "trailing_comma.json";
  EXPECT_EQ(message_of([&] { input::load_json_file(trailing); }),
            trailing.string() +
                ":4:3: malformed JSON: unexpected '}'; expected string literal; "
                "JSON allows no comma before '}'");
}

TEST(LoadJsonTest, DuplicateKeysInAFile) {
  const std::filesystem::path path = kJsonData / "duplicate_keys.json";
  EXPECT_EQ(message_of([&] { input::load_json_file(path); }),
            path.string() + ": /fleet: duplicate key \"smars\"");
}

TEST(LoadJsonTest, UnreadableFilesNameTheReason) {
  const std::filesystem::path missing = kJsonData / "no_such_file.json";
  EXPECT_EQ(message_of([&] { input::load_json_file(missing); }),
            missing.string() + ": cannot read file: No such file or directory");
  EXPECT_EQ(message_of([] { input::load_json_file(kJsonData); }),
            kJsonData.string() + ": cannot read file: it is a directory");
}

// ---- ObjectReader and ValueReader ----

TEST_F(ReaderTest, ReadsAScenarioLikeDocument) {
  doc_ = input::load_json_file(kJsonData / "valid.json");
  input::ObjectReader root(doc_, "valid.json", "");
  EXPECT_EQ(root.string("name"), "Knight Capital, 1 August 2012");
  EXPECT_EQ(root.integer("seed", 0, std::numeric_limits<std::int64_t>::max()), 42);
  input::ObjectReader deployment = root.child("deployment");
  EXPECT_EQ(deployment.string("service"), "smars");
  EXPECT_FALSE(deployment.boolean("preflight_gate", true));
  EXPECT_EQ(deployment.string("to", "rlp"), "rlp");  // absent: the fallback
  input::ObjectReader strategy = deployment.child("strategy");
  EXPECT_EQ(strategy.string_enum("type", {"manual", "rolling"}), "manual");
  EXPECT_EQ(strategy.positive_duration("per_host"), engine::Duration::hours(8));
  EXPECT_EQ(strategy.integer("batch_size", 1, 100), 1);
  EXPECT_EQ(strategy.duration("pause", engine::Duration::seconds(30)),
            engine::Duration::seconds(30));
  strategy.finish();
  deployment.finish();

  for (auto& [name, person] : root.child("people").members()) {
    EXPECT_EQ(name, "tech_team");
    input::ObjectReader reader = person.as_object();
    EXPECT_EQ(reader.pointer(), "/people/tech_team");
    const engine::Distribution diagnose =
        reader.distribution("diagnose", engine::Distribution::Unit::duration);
    EXPECT_EQ(diagnose.kind(), engine::Distribution::Kind::lognormal);
    reader.finish();
  }

  const std::vector<input::ValueReader> timeline = root.array("timeline");
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[1].pointer(), "/timeline/1");
  input::ObjectReader step = timeline[0].as_object();
  EXPECT_EQ(step.string("at"), "2012-08-01T09:30:00");
  EXPECT_TRUE(step.has("value"));
  EXPECT_FALSE(step.has("group"));
  ASSERT_NE(step.get("do"), nullptr);
  EXPECT_EQ(*step.get("do"), "set_flag");
  EXPECT_TRUE(step.optional("value")->as_boolean());
  EXPECT_FALSE(step.optional("by").has_value());
  EXPECT_EQ(step.string("flag"), "power_peg");
  step.finish();

  input::ObjectReader odd = root.child("odd/key~name");
  EXPECT_EQ(odd.pointer(), "/odd~1key~0name");
  EXPECT_DOUBLE_EQ(odd.probability("error_rate"), 0.25);
  EXPECT_DOUBLE_EQ(odd.percent("traffic_percent"), 12.5);
  EXPECT_DOUBLE_EQ(odd.percent("other_percent", 5), 5.0);
  EXPECT_DOUBLE_EQ(odd.probability("p", 0.5), 0.5);
  odd.finish();
  EXPECT_TRUE(root.optional_array("sources").empty());
  EXPECT_FALSE(root.optional_child("monitoring").has_value());
  root.finish();
}

TEST_F(ReaderTest, NotAnObject) {
  const json array = json::array({1, 2, 3});
  EXPECT_EQ(message_of([&] { input::ObjectReader(array, "s.json", ""); }),
            "s.json: expected an object, found an array of 3");
  EXPECT_EQ(message_of([this] { read(R"({"deployment": "canary"})").child("deployment"); }),
            "s.json: /deployment: expected an object, found \"canary\"");
}

TEST_F(ReaderTest, MissingRequiredKey) {
  EXPECT_EQ(message_of([this] {
              read(R"({"deployment": {"to": "rlp"}})").child("deployment").string("service");
            }),
            "s.json: /deployment/service: missing required key \"service\"");
  // A key present under a misspelt name is the real problem, at the key itself on the top level.
  EXPECT_EQ(message_of([this] { read(R"({"stratgy": {}})").child("strategy"); }),
            "s.json: /stratgy: unknown key \"stratgy\"; did you mean \"strategy\"?");
  EXPECT_EQ(message_of([this] {
              read(R"({"d": {"sevrice": 1}})").child("d").required("service", "the service");
            }),
            "s.json: /d: unknown key \"sevrice\"; did you mean \"service\"?");
  EXPECT_EQ(
      message_of([this] { read(R"({"d": {}})").child("d").required("service", "the service"); }),
      "s.json: /d/service: expected the service, found nothing; \"service\" is required");
}

TEST_F(ReaderTest, TypeErrorsNameExpectedAndFound) {
  input::ObjectReader r = read(R"({"s": 3, "b": "true", "n": null, "o": {"x": 1}, "a": [1, 2]})");
  EXPECT_EQ(message_of([&] { r.string("s"); }), "s.json: /s: expected a string, found 3");
  EXPECT_EQ(message_of([&] { r.boolean("b"); }),
            "s.json: /b: expected true or false, found \"true\"; "
            "write true or false without quotes");
  EXPECT_EQ(message_of([&] { r.string("n"); }), "s.json: /n: expected a string, found null");
  EXPECT_EQ(message_of([&] { r.string("n", "fallback"); }),
            "s.json: /n: expected a string, found null");  // null is not "absent"
  EXPECT_EQ(message_of([&] { r.array("o"); }), "s.json: /o: expected an array, found an object");
  EXPECT_EQ(message_of([&] { r.number("a", 0, 1); }),
            "s.json: /a: expected a number from 0 to 1, found an array of 2");
}

TEST_F(ReaderTest, Integers) {
  input::ObjectReader r = read(R"({"neg": -3, "frac": 2.5, "big": 250, "whole": 3.0, "quoted": "5",
                            "huge": 1180591620717411303424, "u64": 18446744073709551615,
                            "min": -9223372036854775808})");
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(message_of([&] { r.integer("neg", 1, kMax); }),
            "s.json: /neg: expected a positive integer, found -3");
  EXPECT_EQ(message_of([&] { r.integer("frac", 0, kMax); }),
            "s.json: /frac: expected a non-negative integer, found 2.5");
  EXPECT_EQ(message_of([&] { r.integer("big", 1, 100); }),
            "s.json: /big: expected an integer from 1 to 100, found 250");
  EXPECT_EQ(message_of([&] { r.integer("big", 1000, kMax); }),
            "s.json: /big: expected an integer of at least 1000, found 250");
  EXPECT_EQ(message_of([&] { r.integer("big", kMin, 10); }),
            "s.json: /big: expected an integer of at most 10, found 250");
  EXPECT_EQ(r.integer("whole", 1, 10), 3);
  EXPECT_EQ(message_of([&] { r.integer("quoted", 1, 10); }),
            "s.json: /quoted: expected an integer from 1 to 10, found \"5\"; "
            "write the number without quotes");
  EXPECT_EQ(message_of([&] { r.integer("huge", kMin, kMax); }),
            "s.json: /huge: expected an integer, found 1180591620717411303424");
  EXPECT_EQ(message_of([&] { r.integer("u64", kMin, kMax); }),
            "s.json: /u64: expected an integer, found 18446744073709551615");
  EXPECT_EQ(r.integer("min", kMin, kMax), kMin);
  EXPECT_EQ(r.integer("absent", 1, 10, 7), 7);
  EXPECT_DOUBLE_EQ(r.number("huge", 0, std::numeric_limits<double>::infinity()),
                   std::ldexp(1.0, 70));
}

TEST_F(ReaderTest, NumbersPercentsProbabilities) {
  input::ObjectReader r =
      read(R"({"x": -0.5, "pct": 150, "pct_text": "50%", "p": 1.5, "ok": 0.1})");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(message_of([&] { r.number("x", 0, kInf); }),
            "s.json: /x: expected a non-negative number, found -0.5");
  EXPECT_EQ(message_of([&] { r.number("x", 1.5, kInf); }),
            "s.json: /x: expected a number of at least 1.5, found -0.5");
  EXPECT_EQ(message_of([&] { r.number("x", -kInf, -1); }),
            "s.json: /x: expected a number of at most -1, found -0.5");
  EXPECT_DOUBLE_EQ(r.number("x", -kInf, kInf), -0.5);
  EXPECT_EQ(message_of([&] { r.percent("pct"); }),
            "s.json: /pct: expected a percentage from 0 to 100, found 150");
  EXPECT_EQ(message_of([&] { r.percent("pct_text"); }),
            "s.json: /pct_text: expected a percentage from 0 to 100, found \"50%\"; "
            "write the number without quotes");
  EXPECT_EQ(message_of([&] { r.probability("p"); }),
            "s.json: /p: expected a probability from 0 to 1, found 1.5");
  EXPECT_EQ(message_of([&] { r.probability("p", 0.5); }),
            "s.json: /p: expected a probability from 0 to 1, found 1.5");
  EXPECT_DOUBLE_EQ(r.probability("ok"), 0.1);
  EXPECT_DOUBLE_EQ(r.number("absent", 0, 1, 0.25), 0.25);
}

TEST_F(ReaderTest, NumbersBuiltInMemoryMustBeFinite) {
  // Documents can also come from code (overrides, Python); they skip the parser's checks.
  doc_ = json{{"x", std::numeric_limits<double>::infinity()}};
  input::ObjectReader r(doc_, "override", "");
  EXPECT_EQ(message_of([&] {
              r.number("x", -std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::infinity());
            }),
            "override: /x: expected a number, found infinity");
}

TEST_F(ReaderTest, Durations) {
  input::ObjectReader r =
      read(R"({"ok": "1h30min", "words": "8 hours", "bare": 30, "zero": "0s"})");
  EXPECT_EQ(r.duration("ok"), engine::Duration::minutes(90));
  std::string reason;
  try {
    engine::parse_duration("8 hours");
  } catch (const engine::TimeFormatError& error) {
    reason = error.what();
  }
  ASSERT_FALSE(reason.empty());
  EXPECT_EQ(message_of([&] { r.duration("words"); }), "s.json: /words: " + reason);
  EXPECT_EQ(message_of([&] { r.duration("bare"); }),
            "s.json: /bare: expected a duration such as \"30s\", \"5min\" or \"2h\", found 30; "
            "give a unit, e.g. \"30s\" for seconds");
  EXPECT_EQ(r.duration("zero"), engine::Duration());
  EXPECT_EQ(message_of([&] { r.positive_duration("zero"); }),
            "s.json: /zero: expected a duration longer than zero, found \"0s\"");
  EXPECT_EQ(r.positive_duration("absent", engine::Duration::seconds(5)),
            engine::Duration::seconds(5));
}

TEST_F(ReaderTest, Distributions) {
  input::ObjectReader r =
      read(R"j({"d": "exponential(30s)", "n": 4.5, "neg": -1, "bad": "gauss(1, 2)",
                             "bare": 30, "list": [1]})j");
  using Unit = engine::Distribution::Unit;
  EXPECT_EQ(r.distribution("d", Unit::duration).kind(), engine::Distribution::Kind::exponential);
  const engine::Distribution constant = r.distribution("n", Unit::number);
  EXPECT_EQ(constant.kind(), engine::Distribution::Kind::deterministic);
  EXPECT_DOUBLE_EQ(constant.mean(), 4.5);
  EXPECT_EQ(message_of([&] { r.distribution("neg", Unit::number); }),
            "s.json: /neg: expected a non-negative number, found -1");
  std::string reason;
  try {
    engine::Distribution::parse("gauss(1, 2)", Unit::number);
  } catch (const std::invalid_argument& error) {
    reason = error.what();
  }
  ASSERT_FALSE(reason.empty());
  EXPECT_EQ(message_of([&] { r.distribution("bad", Unit::number); }), "s.json: /bad: " + reason);
  EXPECT_EQ(message_of([&] { r.distribution("bare", Unit::duration); }),
            "s.json: /bare: expected a duration or a distribution such as \"exponential(30s)\", "
            "found 30; give a unit, e.g. \"30s\" for seconds");
  EXPECT_EQ(message_of([&] { r.distribution("list", Unit::number); }),
            "s.json: /list: expected a non-negative number or a distribution such as "
            "\"uniform(1, 5)\", found an array of 1");
  EXPECT_DOUBLE_EQ(
      r.distribution("absent", Unit::number, engine::Distribution::constant(2.0)).mean(), 2.0);
}

TEST_F(ReaderTest, EnumsSuggestTheClosestValue) {
  input::ObjectReader r = read(R"({"type": "canry", "kind": "zzz", "num": 1})");
  const std::vector<std::string> types{"all_at_once", "rolling", "canary"};
  EXPECT_EQ(message_of([&] { r.string_enum("type", types); }),
            "s.json: /type: expected one of \"all_at_once\", \"rolling\", \"canary\", "
            "found \"canry\"; did you mean \"canary\"?");
  EXPECT_EQ(message_of([&] { r.string_enum("kind", types); }),
            "s.json: /kind: expected one of \"all_at_once\", \"rolling\", \"canary\", "
            "found \"zzz\"");
  EXPECT_EQ(message_of([&] { r.string_enum("num", types); }),
            "s.json: /num: expected one of \"all_at_once\", \"rolling\", \"canary\", found 1");
  EXPECT_EQ(r.string_enum("absent", types, "rolling"), "rolling");
}

TEST_F(ReaderTest, NestedPointers) {
  input::ObjectReader r = read(R"({"timeline": [{}, {}, {}, {"at": 5}], "a/b": {"c~d": [true]}})");
  const std::vector<input::ValueReader> timeline = r.array("timeline");
  EXPECT_EQ(message_of([&] { timeline[3].as_object().string("at"); }),
            "s.json: /timeline/3/at: expected a string, found 5");
  EXPECT_EQ(message_of([&] { r.child("a/b").array("c~d")[0].as_string(); }),
            "s.json: /a~1b/c~0d/0: expected a string, found true");
  EXPECT_EQ(message_of([&] { r.child("a/b").value("c~d").as_array()[0].as_integer(); }),
            "s.json: /a~1b/c~0d/0: expected an integer, found true");
}

TEST_F(ReaderTest, UnknownKeysAreReportedTogether) {
  input::ObjectReader r =
      read(R"({"service": "smars", "stratgy": {}, "colour": "red", "to": "rlp"})");
  r.string("service");
  r.string("to");
  r.optional_child("strategy");
  r.has("preflight_gate");
  EXPECT_EQ(message_of([&] { r.finish(); }),
            "s.json: /colour: unknown key \"colour\"; allowed keys: \"service\", \"to\", "
            "\"strategy\", \"preflight_gate\"\n"
            "s.json: /stratgy: unknown key \"stratgy\"; did you mean \"strategy\"?");
}

TEST_F(ReaderTest, UnknownKeysInNestedObjectsAndEmptySchemas) {
  input::ObjectReader r =
      read(R"({"deployment": {"strategy": {"type": "canary", "wieghts": [5]}}})");
  input::ObjectReader strategy = r.child("deployment").child("strategy");
  strategy.string("type");
  strategy.optional_array("weights");
  const input::InputError error = error_of([&] { strategy.finish(); });
  ASSERT_EQ(error.problems().size(), 1u);
  EXPECT_EQ(error.problems()[0].pointer, "/deployment/strategy");
  EXPECT_EQ(error.problems()[0].detail, "unknown key \"wieghts\"");
  EXPECT_EQ(error.problems()[0].hint, "did you mean \"weights\"?");

  input::ObjectReader empty = read(R"({"x": 1})");
  EXPECT_EQ(message_of([&] { empty.finish(); }),
            "s.json: /x: unknown key \"x\"; no keys are allowed here");
  input::ObjectReader map = read(R"({"a": 1, "b": 2})");
  EXPECT_EQ(map.members().size(), 2u);
  EXPECT_NO_THROW(map.finish());
}

TEST_F(ReaderTest, ObjectLevelFailure) {
  input::ObjectReader r = read(R"({"flags": {"f": {"to": 1, "weights": [1]}}})");
  input::ObjectReader flag = r.child("flags").child("f");
  EXPECT_EQ(message_of([&] { flag.fail("needs \"to\" or \"weights\", not both"); }),
            "s.json: /flags/f: needs \"to\" or \"weights\", not both");
  EXPECT_EQ(message_of([&] { flag.value("to").fail("a version name", "see /versions"); }),
            "s.json: /flags/f/to: expected a version name, found 1; see /versions");
}

}  // namespace
}  // namespace deploysim::input
