#include "input/input_error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/excerpt.hpp"

namespace deploysim::input {
namespace {

// Control characters written as JSON writes them in a string (\n, \t, \u0001).
std::string escape_controls(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
      continue;
    }
    const std::string escaped = nlohmann::json(std::string(1, c)).dump();
    out += escaped.substr(1, escaped.size() - 2);
  }
  return out;
}

// Each reference token of the pointer cut like any quoted value, so that a megabyte key
// cannot flood the message and a deep pointer still shows every level.
std::string excerpt_pointer(const std::string& pointer) {
  std::string out;
  std::size_t start = 0;
  while (start < pointer.size()) {
    const std::size_t slash = pointer.find('/', start + 1);
    const std::size_t end = slash == std::string::npos ? pointer.size() : slash;
    out += engine::excerpt(std::string_view(pointer).substr(start, end - start));
    start = end;
  }
  return out;
}

std::string join_messages(const std::vector<InputProblem>& problems) {
  std::string out;
  for (const InputProblem& problem : problems) {
    if (!out.empty()) out += '\n';
    out += problem.message();
  }
  return out.empty() ? std::string("invalid input") : out;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Optimal string alignment distance (Damerau-Levenshtein without re-editing a transposed pair):
// a swapped pair of letters is one typo, as people count them.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [m, &d](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      std::size_t best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && ascii_lower(a[i - 1]) == ascii_lower(b[j - 2]) &&
          ascii_lower(a[i - 2]) == ascii_lower(b[j - 1])) {
        best = std::min(best, at(i - 2, j - 2) + 1);
      }
      at(i, j) = best;
    }
  }
  return at(n, m);
}

// Doubles that hold integers too large for int64 (e.g. 2^70 written out in full) read better
// as digits than as nlohmann's "1.1805916207174113e+21".
std::string describe_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "infinity" : "-infinity";
  if (std::trunc(v) == v && std::fabs(v) >= 1e15 && std::fabs(v) < 1e25) {
    char buffer[64];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 0);
    return std::string(buffer, result.ptr);
  }
  return nlohmann::json(v).dump();
}

}  // namespace

std::string InputProblem::message() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  auto append_part = [&out](const std::string& part) {
    if (!out.empty()) out += ": ";
    out += part;
  };
  if (!pointer.empty()) append_part(excerpt_pointer(pointer));
  if (!detail.empty()) {
    append_part(detail);
  } else {
    append_part("expected " + expected + (found.empty() ? "" : ", found " + found));
  }
  if (!hint.empty()) out += "; " + hint;
  // Keys and values may hold any character (a raw tab in a distribution's text, a newline in
  // a key): what reaches the user is still one line per problem.
  return escape_controls(out);
}

InputError::InputError(InputProblem problem)
    : InputError(std::vector<InputProblem>{std::move(problem)}) {}

InputError::InputError(std::vector<InputProblem> problems)
    : std::runtime_error(join_messages(problems)),
      problems_(std::make_shared<const std::vector<InputProblem>>(std::move(problems))) {}

void ProblemCollector::add(const InputError& error) {
  problems_.insert(problems_.end(), error.problems().begin(), error.problems().end());
}

void ProblemCollector::throw_if_any() const {
  if (!problems_.empty()) throw InputError(problems_);
}

std::string quote(const std::string& text) {
  // Replacing invalid UTF-8 keeps a message printable whatever bytes the input held.
  return nlohmann::json(engine::excerpt(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string quote_list(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += ", ";
    out += quote(value);
  }
  return out;
}

std::string describe_json(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null:
      return "null";
    case Type::boolean:
      return value.get<bool>() ? "true" : "false";
    case Type::number_integer:
    case Type::number_unsigned:
      return value.dump();
    case Type::number_float:
      return describe_float(value.get<double>());
    case Type::string: {
      constexpr std::size_t kMaxBytes = 40;
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() <= kMaxBytes) return quote(text);
      // Cut on a UTF-8 character boundary so the excerpt stays readable.
      std::size_t cut = kMaxBytes - 3;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      std::string excerpt = quote(text.substr(0, cut));
      excerpt.insert(excerpt.size() - 1, "...");
      return excerpt;
    }
    case Type::object:
      return "an object";
    case Type::array:
      return value.empty() ? "an empty array" : "an array of " + std::to_string(value.size());
    case Type::binary:
      return "binary data";
    case Type::discarded:
      break;
  }
  return "nothing";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // Edit distance is quadratic in length, and no key of ours is this long, so a huge unknown
  // key gets no suggestion instead of exhausting memory.
  constexpr std::size_t kLongestWordSuggested = 64;
  if (word.size() > kLongestWordSuggested) return {};
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  const std::string* best = nullptr;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance <= limit && distance < best_distance) {
      best_distance = distance;
      best = &candidate;
    }
  }
  return best ? *best : std::string();
}

}  // namespace deploysim::input
