#include "delivery/limits.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/quantities.hpp"
#include "delivery/roi.hpp"

namespace deploysim::delivery {

namespace {

// Products are formed in logarithms: a rate of 1e308 times 90 days is no double, but the
// message still has to say how far over the limit it is.
double log10_of(const std::vector<WorkFactor>& factors) {
  double sum = 0.0;
  for (const auto& f : factors) sum += std::log10(f.value);
  return sum;
}

// `value` in as few significant digits as still show it above `limit`: 10000001 hosts over a
// limit of 1e7 must not read "1e7".
std::string over_limit_text(double value, double limit) {
  std::string text = short_number(value);
  for (int digits = 4; digits <= 17 && std::strtod(text.c_str(), nullptr) <= limit; ++digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    text = buffer;
  }
  return text;
}

std::string power_of_ten_text(double log10_value, double limit) {
  if (std::isfinite(log10_value) && std::fabs(log10_value) < 300.0) {
    return over_limit_text(std::pow(10.0, log10_value), limit);
  }
  const double exponent = std::floor(log10_value);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2ge%.0f", std::pow(10.0, log10_value - exponent),
                exponent);
  return buffer;
}

// Refuses when the product of `factors` (inverted where marked) exceeds `limit`. Factors must be
// positive; validate() has checked that before.
void require_at_most(std::vector<WorkFactor> factors, const std::string& what, double limit) {
  if (log10_of(factors) > std::log10(limit)) {
    throw WorkLimitError(std::move(factors), what, limit);
  }
}

WorkFactor days(double horizon_s) {
  return {"horizon", horizon_s / kDay, "days"};
}

// A count of periods: `horizon_s` over an interval, as one factor per quotient.
WorkFactor per_interval(const std::string& key, double interval_s) {
  return {key, 1.0 / interval_s, "1/seconds"};
}

}  // namespace

WorkLimitError::WorkLimitError(std::vector<WorkFactor> factors, std::string what, double limit)
    : std::invalid_argument(""),
      factors_(std::move(factors)),
      what_(std::move(what)),
      limit_(limit) {
  message_ = describe([](const std::string& key) { return key; });
}

const char* WorkLimitError::what() const noexcept {
  return message_.c_str();
}

std::string WorkLimitError::describe(
    const std::function<std::string(const std::string&)>& name) const {
  std::string names;
  std::string values;
  for (const auto& f : factors_) {
    const bool inverse = f.unit.rfind("1/", 0) == 0;
    const std::string unit = inverse ? f.unit.substr(2) : f.unit;
    const std::string sep = names.empty() ? "" : inverse ? " ÷ " : " × ";
    names += sep + name(f.key) + (unit.empty() ? "" : " in " + unit);
    values += sep + short_number(inverse ? 1.0 / f.value : f.value);
  }
  // One factor is its own product, exactly; a product is formed in logarithms.
  const std::string product = factors_.size() == 1 ? over_limit_text(factors_.front().value, limit_)
                                                   : power_of_ten_text(log10_of(factors_), limit_);
  const std::string equation =
      factors_.size() == 1 ? names + " = " + product : names + " = " + values + " = " + product;
  return equation + " " + what_ + "; the limit is " + short_number(limit_);
}

void check_work(const PipelineConfig& c) {
  const double horizon_s = c.horizon.to_seconds();
  require_at_most({days(horizon_s)}, "days of per-day series per replica", kMaxSeriesPoints);
  require_at_most({{"changes_per_day", c.changes_per_day, ""}, days(horizon_s)},
                  "changes per replica", kMaxChangesPerReplica);
  if (c.cadence == ReleaseCadence::train) {
    require_at_most({{"horizon", horizon_s, "seconds"},
                     per_interval("train_interval", c.train_interval.to_seconds())},
                    "release trains per replica", kMaxReleasesPerReplica);
  }
}

void check_work(const DriftConfig& c) {
  const double horizon_s = c.horizon.to_seconds();
  const double hosts = static_cast<double>(c.hosts);
  require_at_most({{"hosts", hosts, ""}}, "hosts", static_cast<double>(kMaxDriftHosts));
  require_at_most({{"horizon", horizon_s, "seconds"},
                   per_interval("sample_every", c.sample_every.to_seconds())},
                  "samples per replica", kMaxSeriesPoints);
  require_at_most({{"hosts", hosts, ""},
                   {"horizon", horizon_s, "seconds"},
                   per_interval("interval", c.interval.to_seconds())},
                  "agent runs per replica", kMaxDriftEventsPerReplica);
  if (c.deploy_every.ms() > 0) {
    require_at_most({{"hosts", hosts, ""},
                     {"horizon", horizon_s, "seconds"},
                     per_interval("deploy_every", c.deploy_every.to_seconds())},
                    "host deploys per replica", kMaxDriftEventsPerReplica);
  }
}

void check_work(const RoiInputs& in) {
  require_at_most({{"horizon_periods", in.horizon_periods, ""}}, "periods in the series",
                  kMaxSeriesPoints);
}

void check_replicas(std::int64_t replicas) {
  require_at_most({{"replicas", static_cast<double>(replicas), ""}}, "replicas", kMaxReplicas);
}

std::string short_number(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", x);
  std::string text = buffer;
  // "1e+08" -> "1e8", "2.5e-05" -> "2.5e-5": numbers as a person types them.
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e);
  std::string exponent = text.substr(e + 1);
  const bool negative = !exponent.empty() && exponent[0] == '-';
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

}  // namespace deploysim::delivery
