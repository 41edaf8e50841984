#pragma once
// Running many simulations: replica seeds, a parallel runner that hands results back in a fixed
// order (so a result never depends on the thread count), and the metrics experiments aggregate.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "experiment/statistics.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::experiment {

/// Seed of replica `index` under `base_seed`. Replica i of every variant and grid point gets the
/// same seed, so they see the same failures, defects and human delays (common random numbers).
std::uint64_t replica_seed(std::uint64_t base_seed, std::uint64_t index);

/// Runs `work(k)` for k = first .. first+count-1 on `threads` threads and calls `deliver(k,
/// summary)` in increasing k, from one thread at a time, whatever order the runs finish in.
/// `work` must be safe to call concurrently. When `stop` becomes true, no new run starts and
/// only the unbroken prefix of finished runs is delivered. `progress(delivered)` is called after
/// each delivery. Returns the number of runs delivered.
std::int64_t run_ordered(std::int64_t first, std::int64_t count, int threads,
                         const std::function<simulation::Summary(std::int64_t k)>& work,
                         const std::function<void(std::int64_t k, simulation::Summary&&)>& deliver,
                         const std::atomic<bool>* stop = nullptr,
                         const std::function<void(std::int64_t delivered)>& progress = {});

/// A number experiments aggregate, read from a run's summary; nullopt where the quantity did not
/// occur (never detected, no incident).
struct Metric {
  std::string name;
  std::function<std::optional<double>(const simulation::Summary&)> read;
};

/// The summary's numeric metrics, in a fixed order: loss_usd, time_to_detect_s, ...
const std::vector<Metric>& summary_metrics();
/// The metric called `name`, or nullptr.
const Metric* find_metric(std::string_view name);
/// The summary metric called `name`; throws std::invalid_argument naming it, with a "did you
/// mean" or the list of metrics.
const Metric& require_metric(std::string_view name);

/// "loss_usd>1e6": the fraction of runs in which a metric passes a threshold.
struct EventRule {
  std::string text;  ///< as the user wrote it, for column names and tables
  const Metric* metric = nullptr;
  bool above = true;
  double threshold = 0.0;
};
/// Parses "METRIC>VALUE" or "METRIC<VALUE"; throws std::invalid_argument naming the problem and
/// the metrics there are (with a did-you-mean).
EventRule parse_event_rule(const std::string& text);

/// Streaming statistics of every summary metric over runs: mean, spread, quantiles, how often it
/// was null, plus event probabilities and deploy outcomes. Memory does not grow with the runs.
class MetricsAccumulator {
 public:
  explicit MetricsAccumulator(std::vector<EventRule> events = {});
  void add(const simulation::Summary& summary);

  struct MetricStats {
    RunningStats stats;
    StreamingQuantiles quantiles;
    std::int64_t missing = 0;  ///< runs where the metric was null
  };
  std::int64_t runs() const { return runs_; }
  const MetricStats& metric(std::size_t index) const { return metrics_[index]; }
  const std::vector<EventRule>& events() const { return events_; }
  std::int64_t event_count(std::size_t index) const { return event_counts_[index]; }
  /// Runs per deploy outcome ("completed", "rolled_back", ...), in first-seen order.
  const std::vector<std::pair<std::string, std::int64_t>>& outcomes() const { return outcomes_; }

 private:
  std::int64_t runs_ = 0;
  std::vector<MetricStats> metrics_;
  std::vector<EventRule> events_;
  std::vector<std::int64_t> event_counts_;
  std::vector<std::pair<std::string, std::int64_t>> outcomes_;
};

}  // namespace deploysim::experiment
