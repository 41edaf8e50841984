#include "engine/distribution.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace deploysim::engine {

namespace {

using Kind = Distribution::Kind;
using Unit = Distribution::Unit;

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::string_view signature;
  std::size_t arity;  // 0: one or more (empirical)
};

constexpr KindInfo kinds[] = {
    {Kind::deterministic, "deterministic", "a single value", 1},
    {Kind::uniform, "uniform", "uniform(low, high)", 2},
    {Kind::exponential, "exponential", "exponential(mean)", 1},
    {Kind::normal, "normal", "normal(mean, stddev)", 2},
    {Kind::lognormal, "lognormal", "lognormal(median, sigma)", 2},
    {Kind::weibull, "weibull", "weibull(shape, scale)", 2},
    {Kind::empirical, "empirical", "empirical(v1, v2, ...)", 0},
};

const KindInfo& info(Kind kind) {
  return *std::find_if(std::begin(kinds), std::end(kinds),
                       [kind](const KindInfo& k) { return k.kind == kind; });
}

/// Shapes and sigmas are dimensionless, so they stay plain numbers in a duration distribution.
bool is_dimensionless(Kind kind, std::size_t index) {
  return (kind == Kind::lognormal && index == 1) || (kind == Kind::weibull && index == 0);
}

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

std::string accepted_forms(Unit unit) {
  return unit == Unit::duration
             ? "expected a duration (e.g. \"30s\", \"5min\") or uniform(low, high), "
               "exponential(mean), normal(mean, stddev), lognormal(median, sigma), "
               "weibull(shape, scale) or empirical(v1, v2, ...) with durations as arguments, "
               "except shape and sigma, which are plain numbers (e.g. \"lognormal(20min, 0.5)\")"
             : "expected a number (e.g. \"4.5\") or uniform(low, high), exponential(mean), "
               "normal(mean, stddev), lognormal(median, sigma), weibull(shape, scale) or "
               "empirical(v1, v2, ...) (e.g. \"uniform(1, 5)\")";
}

[[noreturn]] void parse_error(std::string_view text, Unit unit, std::string_view reason) {
  throw TimeFormatError(quote(text) + " is not a distribution: " + std::string(reason) + "; " +
                        accepted_forms(unit));
}

/// Why `parameters` do not make a `kind` distribution, or nothing if they do.
std::optional<std::string> invalid_parameters(Kind kind, const std::vector<double>& p) {
  const KindInfo& k = info(kind);
  if (k.arity == 0 ? p.empty() : p.size() != k.arity) {
    return k.arity == 0 ? std::string(k.name) + " needs at least one value"
                        : std::string(k.name) + " takes " + std::to_string(k.arity) +
                              (k.arity == 1 ? " argument" : " arguments") + ", as in " +
                              std::string(k.signature) + ", not " + std::to_string(p.size());
  }
  for (double v : p) {
    if (!std::isfinite(v) || v < 0.0) return "values must be finite and non-negative";
  }
  switch (kind) {
    case Kind::deterministic:
    case Kind::empirical:
      break;
    case Kind::uniform:
      if (p[0] > p[1]) return std::string("uniform needs low <= high");
      break;
    case Kind::exponential:
      if (p[0] <= 0.0) return std::string("exponential needs a mean above 0");
      break;
    case Kind::normal:
      break;  // stddev >= 0 is already checked above.
    case Kind::lognormal:
      if (p[0] <= 0.0) return std::string("lognormal needs a median above 0");
      break;
    case Kind::weibull:
      if (p[0] <= 0.0 || p[1] <= 0.0) return std::string("weibull needs shape and scale above 0");
      break;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

/// `arg` as a finite, non-negative number; `text` is the whole distribution, for the message.
double parse_number(std::string_view text, Unit unit, std::string_view arg) {
  double value = 0.0;
  const char* end = arg.data() + arg.size();
  const auto [ptr, ec] = std::from_chars(arg.data(), end, value);
  const std::string quoted = quote(arg);
  if (!arg.empty() && arg.front() == '-') parse_error(text, unit, quoted + " is negative");
  if (ec == std::errc::result_out_of_range) parse_error(text, unit, quoted + " is out of range");
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    parse_error(text, unit, quoted + " is not a number");
  }
  return value;
}

double parse_value(std::string_view text, Unit unit, std::string_view arg, bool dimensionless) {
  if (unit == Unit::number || dimensionless) return parse_number(text, unit, arg);
  try {
    return static_cast<double>(parse_duration(arg).ms());
  } catch (const TimeFormatError& e) {
    // The duration's own message already says what a duration looks like.
    throw TimeFormatError(quote(text) + " is not a distribution: " + e.what());
  }
}

std::string format_value(double v, Unit unit, bool dimensionless) {
  if (unit == Unit::duration && !dimensionless) {
    return format_duration(Duration::milliseconds(std::llround(v)));
  }
  char buffer[64];
  // Shortest text that reads back to the same double.
  const auto [ptr, ec] = std::to_chars(std::begin(buffer), std::end(buffer), v);
  return ec == std::errc{} ? std::string(buffer, ptr) : std::to_string(v);
}

/// Standard normal density and distribution function.
double phi(double x) {
  return std::exp(-0.5 * x * x) * std::numbers::inv_sqrtpi / std::numbers::sqrt2;
}
double big_phi(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

}  // namespace

Distribution Distribution::constant(double value) {
  return of(Kind::deterministic, {value});
}

Distribution Distribution::of(Kind kind, std::vector<double> parameters) {
  if (auto reason = invalid_parameters(kind, parameters)) {
    throw std::invalid_argument("invalid " + std::string(info(kind).name) +
                                " distribution: " + *reason);
  }
  Distribution d;
  d.kind_ = kind;
  d.parameters_ = std::move(parameters);
  return d;
}

Distribution Distribution::parse(std::string_view text, Unit unit) {
  const std::string_view body = trim(text);
  if (body.empty()) parse_error(text, unit, "it is empty");

  Kind kind = Kind::deterministic;
  std::vector<double> parameters;
  const std::size_t open = body.find('(');
  if (open == std::string_view::npos) {
    if (body.find(')') != std::string_view::npos || body.find(',') != std::string_view::npos) {
      parse_error(text, unit, "unbalanced parentheses or a stray comma");
    }
    parameters.push_back(parse_value(text, unit, body, false));
  } else {
    const std::string_view name = trim(body.substr(0, open));
    const KindInfo* found = nullptr;
    for (const KindInfo& k : kinds) {
      if (k.kind != Kind::deterministic && k.name == name) found = &k;
    }
    if (name.empty()) parse_error(text, unit, "the distribution's name is missing");
    if (found == nullptr) {
      parse_error(text, unit, "unknown distribution " + quote(name));
    }
    kind = found->kind;
    if (body.back() != ')' || body.find('(', open + 1) != std::string_view::npos ||
        body.find(')') != body.size() - 1) {
      parse_error(text, unit, "unbalanced parentheses");
    }
    std::string_view rest = body.substr(open + 1, body.size() - open - 2);
    if (trim(rest).empty())
      parse_error(text, unit, std::string(found->signature) + " needs arguments");
    for (std::size_t index = 0;; ++index) {
      const std::size_t comma = rest.find(',');
      const std::string_view arg = trim(rest.substr(0, comma));
      if (arg.empty()) parse_error(text, unit, "an argument is missing");
      if (found->arity != 0 && index >= found->arity) {
        parse_error(text, unit,
                    std::string(found->name) + " takes " + std::to_string(found->arity) +
                        (found->arity == 1 ? " argument" : " arguments") + ", as in " +
                        std::string(found->signature));
      }
      parameters.push_back(parse_value(text, unit, arg, is_dimensionless(kind, index)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (auto reason = invalid_parameters(kind, parameters)) parse_error(text, unit, *reason);
  Distribution d;
  d.kind_ = kind;
  d.parameters_ = std::move(parameters);
  return d;
}

double Distribution::sample(RandomStream& stream) const {
  const std::vector<double>& p = parameters_;
  switch (kind_) {
    case Kind::deterministic:
      return p[0];
    case Kind::uniform:
      return stream.uniform(p[0], p[1]);
    case Kind::exponential:
      return stream.exponential(p[0]);
    case Kind::normal:
      return std::max(0.0, stream.normal(p[0], p[1]));
    case Kind::lognormal:
      return stream.lognormal(p[0], p[1]);
    case Kind::weibull:
      return stream.weibull(p[0], p[1]);
    case Kind::empirical:
      return p[stream.below(p.size())];
  }
  return p[0];
}

double Distribution::mean() const {
  const std::vector<double>& p = parameters_;
  switch (kind_) {
    case Kind::deterministic:
      return p[0];
    case Kind::uniform:
      return 0.5 * (p[0] + p[1]);
    case Kind::exponential:
      return p[0];
    case Kind::normal: {
      // sample() clamps at 0, so this is the mean of max(0, X) (a rectified normal), which is the
      // plain mean once the mean is a few standard deviations above 0.
      if (p[1] == 0.0) return p[0];
      const double a = p[0] / p[1];
      return p[0] * big_phi(a) + p[1] * phi(a);
    }
    case Kind::lognormal:
      return p[0] * std::exp(0.5 * p[1] * p[1]);
    case Kind::weibull:
      return p[1] * std::tgamma(1.0 + 1.0 / p[0]);
    case Kind::empirical:
      return std::accumulate(p.begin(), p.end(), 0.0) / static_cast<double>(p.size());
  }
  return p[0];
}

double Distribution::variance() const {
  const std::vector<double>& p = parameters_;
  switch (kind_) {
    case Kind::deterministic:
      return 0.0;
    case Kind::uniform:
      return (p[1] - p[0]) * (p[1] - p[0]) / 12.0;
    case Kind::exponential:
      return p[0] * p[0];
    case Kind::normal: {
      if (p[1] == 0.0) return 0.0;
      // Of max(0, X), as for mean(): E[max(0, X)^2] - mean^2.
      const double a = p[0] / p[1];
      const double second_moment = (p[0] * p[0] + p[1] * p[1]) * big_phi(a) + p[0] * p[1] * phi(a);
      const double m = mean();
      return std::max(0.0, second_moment - m * m);
    }
    case Kind::lognormal: {
      const double s2 = p[1] * p[1];
      return std::expm1(s2) * p[0] * p[0] * std::exp(s2);
    }
    case Kind::weibull: {
      const double g1 = std::tgamma(1.0 + 1.0 / p[0]);
      return p[1] * p[1] * (std::tgamma(1.0 + 2.0 / p[0]) - g1 * g1);
    }
    case Kind::empirical: {
      const double m = mean();
      double sum = 0.0;
      for (double v : p) sum += (v - m) * (v - m);
      return sum / static_cast<double>(p.size());
    }
  }
  return 0.0;
}

std::string Distribution::to_string(Unit unit) const {
  if (kind_ == Kind::deterministic) return format_value(parameters_[0], unit, false);
  std::string out = std::string(info(kind_).name) + "(";
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (i > 0) out += ", ";
    out += format_value(parameters_[i], unit, is_dimensionless(kind_, i));
  }
  return out + ")";
}

}  // namespace deploysim::engine
