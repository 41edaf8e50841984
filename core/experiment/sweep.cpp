#include "experiment/sweep.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/hash.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "scenario/load.hpp"

namespace deploysim::experiment {

namespace {

nlohmann::json value_of(const std::string& text) {
  try {
    return input::parse_json_text(text, "parameter");
  } catch (const input::InputError&) {
    return text;
  }
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (;;) {
    const auto end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

double range_number(const std::string& text, const std::string& parameter) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value)) {
    throw std::invalid_argument("parameter " + parameter + ": \"" + text +
                                "\" is not a number; a range is START:STEP:END, e.g. 0.0:0.1:0.5");
  }
  return value;
}

// The shortest text that reads back as `value`, so a range's labels read "0.3", not
// "0.30000000000000004".
std::string number_label(double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::stod(buffer) == value) break;
  }
  return buffer;
}

}  // namespace

Parameter parse_parameter(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw std::invalid_argument("parameter \"" + text +
                                "\": expected PATH=V1,V2,... or PATH=START:STEP:END, e.g. "
                                "deployment.strategy.batch_size=1,5,10");
  }
  Parameter parameter;
  parameter.path = text.substr(0, equals);
  const std::string values = text.substr(equals + 1);
  if (values.empty()) {
    throw std::invalid_argument("parameter " + parameter.path + ": no values after '='");
  }
  const auto range = split(values, ':');
  if (range.size() == 3 && values.find(',') == std::string::npos) {
    const double start = range_number(range[0], parameter.path);
    const double step = range_number(range[1], parameter.path);
    const double end = range_number(range[2], parameter.path);
    if (step == 0.0 || (end - start) / step < 0.0) {
      throw std::invalid_argument("parameter " + parameter.path + "=" + values +
                                  ": the range is empty or endless (step " + range[1] +
                                  " never goes from " + range[0] + " to " + range[2] + ")");
    }
    // Counted, not accumulated, so that 0.0:0.1:0.5 ends exactly at 0.5. The count is checked
    // as a double: a step of 1e-300 gives more steps than an integer holds, which a cast
    // would wrap to a range of no points.
    const double exact_steps = std::floor((end - start) / step + 1e-9);
    if (!(exact_steps <= 100'000.0)) {
      char count[32];
      std::snprintf(count, sizeof count, "%.3g", exact_steps + 1.0);
      throw std::invalid_argument("parameter " + parameter.path + "=" + values + ": " + count +
                                  " values; at most 100001");
    }
    const auto steps = static_cast<std::int64_t>(exact_steps);
    const bool integral = std::floor(start) == start && std::floor(step) == step;
    for (std::int64_t i = 0; i <= steps; ++i) {
      // Rounded to 12 significant digits: 0.0 + 3 x 0.1 is the 0.3 a person wrote, not
      // 0.30000000000000004.
      char rounded[32];
      std::snprintf(rounded, sizeof rounded, "%.12g", start + static_cast<double>(i) * step);
      const double value = std::stod(rounded);
      if (integral) {
        parameter.values.emplace_back(static_cast<std::int64_t>(value));
        parameter.labels.push_back(std::to_string(static_cast<std::int64_t>(value)));
      } else {
        parameter.values.emplace_back(value);
        parameter.labels.push_back(number_label(value));
      }
    }
    return parameter;
  }
  for (const auto& item : split(values, ',')) {
    if (item.empty()) {
      throw std::invalid_argument("parameter " + parameter.path + "=" + values +
                                  ": an empty value in the list");
    }
    parameter.values.push_back(value_of(item));
    parameter.labels.push_back(item);
  }
  return parameter;
}

std::int64_t Grid::points() const {
  std::int64_t points = 1;
  for (const auto& p : parameters) points *= static_cast<std::int64_t>(p.values.size());
  return points;
}

std::vector<std::size_t> Grid::coordinates(std::int64_t point) const {
  std::vector<std::size_t> coordinates(parameters.size());
  for (std::size_t i = parameters.size(); i-- > 0;) {
    const auto size = static_cast<std::int64_t>(parameters[i].values.size());
    coordinates[i] = static_cast<std::size_t>(point % size);
    point /= size;
  }
  return coordinates;
}

spec::Scenario scenario_at(const nlohmann::json& base, const std::string& file, const Grid& grid,
                           std::int64_t point) {
  nlohmann::json document = base;
  const auto coordinates = grid.coordinates(point);
  for (std::size_t i = 0; i < grid.parameters.size(); ++i) {
    const auto& parameter = grid.parameters[i];
    scenario::set_value(document, parameter.path, parameter.values[coordinates[i]],
                        "parameter " + parameter.path + "=" + parameter.labels[coordinates[i]],
                        file);
  }
  return scenario::parse_scenario(document, file);
}

SweepResult run_sweep(const std::vector<spec::Scenario>& points, const SweepOptions& options) {
  SweepResult result;
  for (std::size_t p = 0; p < points.size(); ++p) result.points.emplace_back(options.events);
  const std::int64_t replicas = options.replicas;
  result.runs_requested = replicas * static_cast<std::int64_t>(points.size());
  // Run k is replica k % replicas of point k / replicas: a point's replicas finish together.
  result.runs_completed = run_ordered(
      0, result.runs_requested, options.threads,
      [&](std::int64_t k) {
        const auto& scenario = points[static_cast<std::size_t>(k / replicas)];
        return simulation::run(scenario, replica_seed(options.base_seed,
                                                      static_cast<std::uint64_t>(k % replicas)))
            .summary;
      },
      [&](std::int64_t k, simulation::Summary&& summary) {
        const auto point = k / replicas;
        result.points[static_cast<std::size_t>(point)].add(summary);
        if (options.on_run) options.on_run(point, k % replicas, summary.seed, summary);
      },
      options.stop,
      [&](std::int64_t done) {
        if (options.progress) options.progress(done, result.runs_requested);
      });
  return result;
}

PrecisionResult run_until_precise(const spec::Scenario& scenario, const PrecisionTarget& target,
                                  const SweepOptions& options) {
  PrecisionResult result;
  result.sweep.points.emplace_back(options.events);
  auto& accumulator = result.sweep.points.front();
  const auto metric_index = static_cast<std::size_t>(target.metric - summary_metrics().data());
  std::int64_t done = 0;
  // Rounds double from 100 replicas: a fixed schedule, whatever the thread count.
  std::int64_t round = std::min<std::int64_t>(100, target.max_replicas);
  while (done < target.max_replicas) {
    const std::int64_t count = std::min(round, target.max_replicas - done);
    result.sweep.runs_requested = done + count;
    const auto completed = run_ordered(
        done, count, options.threads,
        [&](std::int64_t k) {
          return simulation::run(scenario,
                                 replica_seed(options.base_seed, static_cast<std::uint64_t>(k)))
              .summary;
        },
        [&](std::int64_t k, simulation::Summary&& summary) {
          accumulator.add(summary);
          if (options.on_run) options.on_run(0, k, summary.seed, summary);
        },
        options.stop,
        [&](std::int64_t delivered) {
          if (options.progress) options.progress(done + delivered, target.max_replicas);
        });
    done += completed;
    result.sweep.runs_completed = done;
    if (completed < count) break;  // stopped
    if (ci_precise_enough(accumulator.metric(metric_index).stats, target.relative_half_width)) {
      result.reached = true;
      break;
    }
    round *= 2;
  }
  return result;
}

ComparisonResult run_comparison(const std::vector<Variant>& variants, const SweepOptions& options) {
  ComparisonResult result;
  const auto count = static_cast<std::int64_t>(variants.size());
  const auto& metrics = summary_metrics();
  for (std::int64_t v = 0; v < count; ++v) result.variants.emplace_back(options.events);
  // values[v][m][r]: metric m of variant v at replica r (NaN where the metric was null).
  std::vector<std::vector<std::vector<double>>> values(
      variants.size(), std::vector<std::vector<double>>(metrics.size()));
  // Run k is variant k % count of replica k / count: a replica's variants finish together.
  const auto completed = run_ordered(
      0, options.replicas * count, options.threads,
      [&](std::int64_t k) {
        return simulation::run(
                   variants[static_cast<std::size_t>(k % count)].scenario,
                   replica_seed(options.base_seed, static_cast<std::uint64_t>(k / count)))
            .summary;
      },
      [&](std::int64_t k, simulation::Summary&& summary) {
        const auto v = static_cast<std::size_t>(k % count);
        result.variants[v].add(summary);
        for (std::size_t m = 0; m < metrics.size(); ++m) {
          values[v][m].push_back(metrics[m].read(summary).value_or(std::nan("")));
        }
        if (options.on_run) options.on_run(k % count, k / count, summary.seed, summary);
      },
      options.stop,
      [&](std::int64_t done) {
        if (options.progress) options.progress(done, options.replicas * count);
      });
  // Only replicas finished by every variant are paired.
  result.runs_completed = completed / count;
  result.comparisons.resize(variants.size());
  for (std::size_t v = 1; v < variants.size(); ++v) {
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> a, b;
      for (std::int64_t r = 0; r < result.runs_completed; ++r) {
        const double x = values[0][m][static_cast<std::size_t>(r)];
        const double y = values[v][m][static_cast<std::size_t>(r)];
        if (std::isnan(x) || std::isnan(y)) continue;
        a.push_back(x);
        b.push_back(y);
      }
      if (a.empty()) {
        result.comparisons[v].emplace_back();
        continue;
      }
      result.comparisons[v].push_back(compare_paired(
          Eigen::Map<Eigen::VectorXd>(a.data(), static_cast<Eigen::Index>(a.size())),
          Eigen::Map<Eigen::VectorXd>(b.data(), static_cast<Eigen::Index>(b.size()))));
    }
  }
  return result;
}

std::string scenario_hash(const nlohmann::json& document) {
  return engine::hex64(engine::fnv1a64(document.dump()));
}

}  // namespace deploysim::experiment
