#pragma once
// Parameter sweeps: a full-factorial grid over scenario values, replicas per point with common
// random numbers across points, and paired comparisons of variants.

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/runner.hpp"
#include "spec/scenario.hpp"

namespace deploysim::experiment {

/// One swept value: a dotted scenario path and the values it takes, in order.
struct Parameter {
  std::string path;                    ///< "deployment.strategy.batch_size"
  std::vector<nlohmann::json> values;  ///< each a JSON value, as --set reads it
  std::vector<std::string> labels;     ///< the values as written, for tables and CSV
};

/// Parses "PATH=V1,V2,..." or "PATH=START:STEP:END" (inclusive numeric range, e.g. 0.0:0.1:0.5).
/// Values are JSON when they parse as JSON and strings otherwise ("10s,60s").
/// Throws std::invalid_argument for an empty list, an empty or endless range, a bad number.
Parameter parse_parameter(const std::string& text);

/// The grid: the cartesian product of the parameters, the last parameter varying fastest.
struct Grid {
  std::vector<Parameter> parameters;
  std::int64_t points() const;
  /// Value index of each parameter at grid point `point`.
  std::vector<std::size_t> coordinates(std::int64_t point) const;
};

/// The base document with the grid point's values set, validated into a scenario. Throws
/// input::InputError for a path or value the scenario refuses (with the --param as its label).
spec::Scenario scenario_at(const nlohmann::json& base, const std::string& file, const Grid& grid,
                           std::int64_t point);

/// Progress of a long experiment: runs finished out of the total.
using ProgressCallback = std::function<void(std::int64_t done, std::int64_t total)>;

struct SweepOptions {
  std::int64_t replicas = 100;
  int threads = 1;
  std::uint64_t base_seed = 1;
  std::vector<EventRule> events;
  const std::atomic<bool>* stop = nullptr;
  ProgressCallback progress;
  /// Called for every run in (point, replica) order: a row of the per-run table.
  std::function<void(std::int64_t point, std::int64_t replica, std::uint64_t seed,
                     const simulation::Summary& summary)>
      on_run;
};

struct SweepResult {
  std::vector<MetricsAccumulator> points;  ///< one per grid point
  std::int64_t runs_requested = 0;
  std::int64_t runs_completed = 0;  ///< fewer when stopped
};

/// Runs every grid point `replicas` times. Replica r of every point uses replica_seed(base, r).
SweepResult run_sweep(const std::vector<spec::Scenario>& points, const SweepOptions& options);

/// `--until-ci`: runs one scenario in rounds until the t interval of `metric` is within
/// `relative_half_width` of its mean or `max_replicas` have run. Rounds are a fixed sequence of
/// sizes, so the stopping point depends only on the results, not on threads.
struct PrecisionTarget {
  const Metric* metric = nullptr;
  double relative_half_width = 0.02;
  std::int64_t max_replicas = 100'000;
};
struct PrecisionResult {
  SweepResult sweep;
  bool reached = false;
};
PrecisionResult run_until_precise(const spec::Scenario& scenario, const PrecisionTarget& target,
                                  const SweepOptions& options);

/// A named variant of a scenario: its values changed ("gate: deployment.preflight_gate=true").
struct Variant {
  std::string name;
  spec::Scenario scenario;
};

struct ComparisonResult {
  std::vector<MetricsAccumulator> variants;
  /// comparisons[v][m]: variant v (v >= 1) against variant 0 on metric m; index 0 is unused.
  std::vector<std::vector<PairedComparison>> comparisons;
  std::int64_t runs_completed = 0;  ///< replicas completed for every variant
};

/// Runs every variant on the same replica seeds and compares each with the first, replica by
/// replica. Runs where a metric is null in either variant are left out of that metric's pairs.
ComparisonResult run_comparison(const std::vector<Variant>& variants, const SweepOptions& options);

/// A stable hash of a scenario document (FNV-1a of its JSON), printed with results so that a
/// result file names exactly what it ran.
std::string scenario_hash(const nlohmann::json& document);

}  // namespace deploysim::experiment
