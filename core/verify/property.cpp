#include "verify/property.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "engine/time.hpp"
#include "input/input_error.hpp"
#include "strategy/ring.hpp"

namespace deploysim::verify {

using Op = Property::Node::Op;

namespace {

// What a function of the language takes and gives.
struct Function {
  std::string_view name;
  Property::Node::Fn fn;
  enum class Arg { none, expression, flag, group, version, number } arg;
  bool temporal;
};
using Fn = Property::Node::Fn;
constexpr Function kFunctions[] = {
    {"always", Fn::always, Function::Arg::expression, true},
    {"eventually", Fn::eventually, Function::Arg::expression, true},
    {"flag_on", Fn::flag_on, Function::Arg::flag, false},
    {"uniform_version", Fn::uniform_version, Function::Arg::group, false},
    {"hosts_on_version", Fn::hosts_on_version, Function::Arg::version, false},
    {"misbehaving_hosts", Fn::misbehaving_hosts, Function::Arg::none, false},
    {"serving_hosts", Fn::serving_hosts, Function::Arg::none, false},
    {"serving_fraction", Fn::serving_fraction, Function::Arg::none, false},
    {"served_mid_install", Fn::served_mid_install, Function::Arg::none, false},
    {"flags_consistent", Fn::flags_consistent, Function::Arg::none, false},
    {"settled_within", Fn::settled_within, Function::Arg::number, false},
    {"first_ring_hosts", Fn::first_ring_hosts, Function::Arg::none, false},
};

const Function* find_function(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& f : kFunctions) names.emplace_back(f.name);
  return names;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

}  // namespace

// A recursive-descent parser over the text; each error names the column where it arises.
class Parser {
 public:
  Parser(std::string_view text, const spec::Scenario& scenario, const std::string& label,
         Property& out)
      : text_(text), scenario_(scenario), label_(label), out_(out) {}

  void parse() {
    const int root = add({});
    const int body = implication();
    skip_space();
    if (pos_ < text_.size()) fail("an operator or the end of the property", token_text());
    out_.nodes_[static_cast<std::size_t>(root)] = out_.nodes_[static_cast<std::size_t>(body)];
  }

 private:
  int add(Property::Node node) {
    out_.nodes_.push_back(std::move(node));
    return static_cast<int>(out_.nodes_.size() - 1);
  }
  int binary(Op op, int left, int right) {
    Property::Node node;
    node.op = op;
    node.args = {left, right};
    return add(std::move(node));
  }

  int implication() {
    const int left = disjunction();
    if (!keyword("implies")) return left;
    return binary(Op::implies, left, implication());
  }
  int disjunction() {
    int left = conjunction();
    while (keyword("or")) left = binary(Op::or_, left, conjunction());
    return left;
  }
  int conjunction() {
    int left = negation();
    while (keyword("and")) left = binary(Op::and_, left, negation());
    return left;
  }
  int negation() {
    if (!keyword("not")) return comparison();
    Property::Node node;
    node.op = Op::not_;
    node.args = {negation()};
    return add(std::move(node));
  }
  int comparison() {
    const int left = atom();
    skip_space();
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"<=", Op::less_equal}, {">=", Op::greater_equal}, {"==", Op::equal},
        {"!=", Op::not_equal},  {"<", Op::less},           {">", Op::greater}};
    for (const auto& [symbol, op] : kOps) {
      if (text_.substr(pos_, symbol.size()) == symbol) {
        pos_ += symbol.size();
        return binary(op, left, atom());
      }
    }
    return left;
  }

  int atom() {
    skip_space();
    const std::size_t start = pos_;
    if (pos_ >= text_.size()) fail("a value, a key or a function", "the end of the property");
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      const int inner = implication();
      expect(')');
      return inner;
    }
    if (c == '"') return string_literal();
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-') return number();
    if (std::isalpha(static_cast<unsigned char>(c)) == 0 && c != '_') {
      fail("a value, a key or a function", token_text());
    }
    const std::string word = read_word();
    if (word == "true" || word == "false") {
      Property::Node node;
      node.op = Op::boolean;
      node.number = word == "true" ? 1.0 : 0.0;
      return add(std::move(node));
    }
    if (word == "null") return add({});
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '(') return call(word, start);
    return key(word, start);
  }

  int number() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (is_word_char(text_[pos_]) || text_[pos_] == '+')) ++pos_;
    const std::string token(text_.substr(start, pos_ - start));
    double value = 0.0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (error != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) {
      column_ = start;
      fail("a number", "\"" + token + "\"");
    }
    Property::Node node;
    node.op = Op::number;
    node.number = value;
    return add(std::move(node));
  }

  int string_literal() {
    const std::size_t start = pos_++;
    const auto close = text_.find('"', pos_);
    if (close == std::string_view::npos) {
      column_ = start;
      fail("a closing '\"'", "the end of the property");
    }
    Property::Node node;
    node.op = Op::string;
    node.text = std::string(text_.substr(pos_, close - pos_));
    pos_ = close + 1;
    return add(std::move(node));
  }

  int key(const std::string& path, std::size_t start) {
    static const auto summary_keys = [] {
      std::vector<std::string> keys;
      const nlohmann::ordered_json summary = simulation::Summary{}.to_json();
      for (auto it = summary.begin(); it != summary.end(); ++it) keys.push_back(it.key());
      return keys;
    }();
    const auto dot = path.find('.');
    const std::string head = path.substr(0, dot);
    bool known =
        dot == std::string::npos
            ? std::find(summary_keys.begin(), summary_keys.end(), head) != summary_keys.end()
            : head == "services" && service_key_known(path.substr(dot + 1));
    if (!known) {
      column_ = start;
      const auto hint = input::did_you_mean(path, summary_keys);
      fail("a summary key (e.g. blast_radius_hosts, loss_usd, services.NAME.KEY) or a function",
           "\"" + path + "\"", hint.empty() ? "" : "did you mean \"" + hint + "\"?");
    }
    Property::Node node;
    node.op = Op::key;
    node.text = path;
    return add(std::move(node));
  }

  bool service_key_known(const std::string& rest) const {
    const auto dot = rest.find('.');
    if (dot == std::string::npos) return false;
    const auto service = rest.substr(0, dot);
    const bool service_known =
        std::any_of(scenario_.services.begin(), scenario_.services.end(),
                    [&](const spec::Service& s) { return s.name == service; });
    return service_known && simulation::IncidentSummary{}.to_json().contains(rest.substr(dot + 1));
  }

  int call(const std::string& name, std::size_t start) {
    const Function* function = find_function(name);
    if (function == nullptr) {
      column_ = start;
      const auto hint = input::did_you_mean(name, function_names());
      fail("a function (" + join(function_names()) + ")", "\"" + name + "\"",
           hint.empty() ? "" : "did you mean \"" + hint + "\"?");
    }
    expect('(');
    Property::Node node;
    node.op = Op::call;
    node.text = name;
    node.fn = function->fn;
    if (function->temporal) {
      if (in_temporal_) {
        column_ = start;
        fail("a predicate inside " + name + "(...)", "another always or eventually");
      }
      in_temporal_ = true;
      node.args = {implication()};
      in_temporal_ = false;
      node.slot = out_.temporal_slots_++;
    } else {
      argument(*function, node);
    }
    expect(')');
    return add(std::move(node));
  }

  void argument(const Function& function, Property::Node& node) {
    using Arg = Function::Arg;
    if (function.arg == Arg::none) return;
    skip_space();
    const std::size_t start = pos_;
    if (function.arg == Arg::number) {
      node.args = {number()};
      return;
    }
    const std::string word = read_word();
    column_ = start;
    if (function.arg == Arg::flag) {
      node.index = resolve(word, flag_names(), "a flag of the scenario");
    } else if (function.arg == Arg::group) {
      node.index = resolve(word, group_names(), "a host group of the scenario");
    } else {
      node.index = resolve(word, version_names(), "a version of the scenario");
    }
    node.args.clear();
    Property::Node name_node;
    name_node.op = Op::string;
    name_node.text = word;
    node.args.push_back(add(std::move(name_node)));
  }

  std::uint32_t resolve(const std::string& word, const std::vector<std::string>& names,
                        const std::string& what) {
    const auto it = std::find(names.begin(), names.end(), word);
    if (it != names.end()) return static_cast<std::uint32_t>(it - names.begin());
    const auto hint = input::did_you_mean(word, names);
    fail(what + " (" + join(names) + ")", word.empty() ? token_text() : "\"" + word + "\"",
         hint.empty() ? "" : "did you mean \"" + hint + "\"?");
  }

  std::vector<std::string> flag_names() const {
    std::vector<std::string> names;
    for (const auto& flag : scenario_.flags) names.push_back(flag.name);
    return names;
  }
  std::vector<std::string> group_names() const {
    std::vector<std::string> names;
    for (const auto& group : scenario_.groups) names.push_back(group.name);
    return names;
  }
  std::vector<std::string> version_names() const {
    std::vector<std::string> names;
    for (const auto& service : scenario_.services) {
      for (const auto& version : service.versions) names.push_back(version.name);
    }
    return names;
  }
  static std::string join(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "none" : text;
  }

  std::string read_word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (is_word_char(text_[pos_]))) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
    column_ = pos_;
  }
  bool keyword(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t after = pos_ + word.size();
    if (after < text_.size() && is_word_char(text_[after])) return false;
    pos_ = after;
    return true;
  }
  void expect(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return;
    }
    fail(std::string("'") + c + "'", token_text());
  }
  std::string token_text() {
    skip_space();
    if (pos_ >= text_.size()) return "the end of the property";
    const std::size_t start = pos_;
    std::size_t end = start;
    while (end < text_.size() && is_word_char(text_[end])) ++end;
    if (end == start) end = start + 1;
    return "\"" + std::string(text_.substr(start, end - start)) + "\"";
  }
  [[noreturn]] void fail(const std::string& expected, const std::string& found,
                         const std::string& hint = {}) {
    throw input::InputError(input::InputProblem{.file = label_,
                                                .expected = expected,
                                                .found = found,
                                                .hint = hint,
                                                .line = 1,
                                                .column = static_cast<int>(column_) + 1});
  }

  std::string_view text_;
  const spec::Scenario& scenario_;
  const std::string& label_;
  Property& out_;
  std::size_t pos_ = 0;
  std::size_t column_ = 0;
  bool in_temporal_ = false;
};

Property Property::parse(std::string_view text, const spec::Scenario& scenario,
                         const std::string& label) {
  Property property;
  property.name_ = std::string(text);
  property.text_ = std::string(text);
  Parser(text, scenario, label, property).parse();
  return property;
}

}  // namespace deploysim::verify
