#pragma once
// The one error type for bad input files (design principle 6): every problem names the file,
// the JSON pointer, what was expected and what was found, so a person can fix it without a
// debugger. Front ends render it: the CLI one line per problem (exit code 2), Python as a
// ValueError subclass, the GUI as a dialog.

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace deploysim::input {

/// One thing wrong with an input, located by file and JSON pointer (or line and column).
/// Meant for designated initializers; the empty `{}` initializers keep GCC's
/// -Wmissing-field-initializers quiet about the fields left out.
struct InputProblem {
  /// The file as the user named it, or a label such as "--set" for text from elsewhere.
  std::string file{};
  /// RFC 6901 JSON pointer of the offending value, e.g. "/deployment/strategy/batch_size";
  /// "" for the whole document (and then not printed).
  std::string pointer{};
  /// What the value should have been, e.g. "a positive integer".
  std::string expected{};
  /// What the value was, briefly (see describe_json), e.g. "-3" or "an object".
  std::string found{};
  /// Replaces "expected ..., found ..." when the problem is not a mismatch, e.g.
  /// `unknown key "stratgy"` or "malformed JSON: unexpected '}'".
  std::string detail{};
  /// A suggestion appended after "; ", e.g. `did you mean "strategy"?`.
  std::string hint{};
  /// 1-based line and column (in characters) when known, e.g. for malformed JSON; else 0.
  int line = 0;
  int column = 0;

  /// One line: "file[:line:col]: [pointer: ](detail | expected E, found F)[; hint]".
  std::string message() const;
};

/// Bad input: one or more problems. what() is their messages, one per line.
class InputError : public std::runtime_error {
 public:
  /// An error with a single problem.
  explicit InputError(InputProblem problem);
  /// An error with several problems; `problems` must not be empty.
  explicit InputError(std::vector<InputProblem> problems);

  /// The problems in the order they were found.
  const std::vector<InputProblem>& problems() const noexcept { return *problems_; }

 private:
  // Shared so that copying the exception cannot throw.
  std::shared_ptr<const std::vector<InputProblem>> problems_;
};

/// Gathers problems from independent checks so that one InputError can report them all.
class ProblemCollector {
 public:
  void add(InputProblem problem) { problems_.push_back(std::move(problem)); }
  /// Keeps every problem of `error`.
  void add(const InputError& error);
  /// Runs `check`, keeping the problems of any InputError it throws instead of propagating it.
  template <class Check>
  void check(Check&& check) {
    try {
      std::forward<Check>(check)();
    } catch (const InputError& error) {
      add(error);
    }
  }
  bool empty() const { return problems_.empty(); }
  const std::vector<InputProblem>& problems() const { return problems_; }
  /// Throws an InputError with all problems gathered so far, if there are any.
  void throw_if_any() const;

 private:
  std::vector<InputProblem> problems_;
};

/// A brief description of a JSON value for "found ...": strings quoted (and cut to about 40
/// characters), numbers and literals as written, "an object", "an array of 3", "an empty array".
std::string describe_json(const nlohmann::json& value);

/// The candidate closest to `word` when it is close enough to be a likely typo (edit distance,
/// with transpositions and ignoring ASCII case, at most max(1, length / 3)); "" otherwise.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

/// `"a", "b", "c"`: each value quoted and escaped as a JSON string, for messages.
std::string quote_list(const std::vector<std::string>& values);

/// A JSON string literal of `text`, for quoting names in messages.
std::string quote(const std::string& text);

}  // namespace deploysim::input
