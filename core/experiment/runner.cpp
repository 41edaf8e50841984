#include "experiment/runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "engine/random.hpp"
#include "input/input_error.hpp"

namespace deploysim::experiment {

std::uint64_t replica_seed(std::uint64_t base_seed, std::uint64_t index) {
  return engine::member_stream_key(engine::stream_key(base_seed, "replica"), index);
}

std::int64_t run_ordered(std::int64_t first, std::int64_t count, int threads,
                         const std::function<simulation::Summary(std::int64_t)>& work,
                         const std::function<void(std::int64_t, simulation::Summary&&)>& deliver,
                         const std::atomic<bool>* stop,
                         const std::function<void(std::int64_t)>& progress) {
  std::mutex mutex;
  std::int64_t next_to_start = first;
  std::int64_t next_to_deliver = first;
  // Finished runs waiting for an earlier one: at most about one per thread.
  std::map<std::int64_t, simulation::Summary> waiting;
  std::exception_ptr failure;
  const std::int64_t end = first + count;

  auto worker = [&] {
    for (;;) {
      std::int64_t k;
      {
        std::lock_guard lock(mutex);
        if (next_to_start >= end || failure || (stop && stop->load())) return;
        k = next_to_start++;
      }
      simulation::Summary summary;
      try {
        summary = work(k);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
      std::lock_guard lock(mutex);
      waiting.emplace(k, std::move(summary));
      // Deliver the unbroken prefix, so that results arrive in k order for any thread count.
      for (auto it = waiting.begin(); it != waiting.end() && it->first == next_to_deliver;
           it = waiting.erase(it)) {
        deliver(it->first, std::move(it->second));
        ++next_to_deliver;
        if (progress) progress(next_to_deliver - first);
      }
    }
  };

  const int workers =
      static_cast<int>(std::clamp<std::int64_t>(threads, 1, std::max<std::int64_t>(count, 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return next_to_deliver - first;
}

const std::vector<Metric>& summary_metrics() {
  using simulation::Summary;
  static const std::vector<Metric> metrics = {
      {"loss_usd", [](const Summary& s) -> std::optional<double> { return s.loss_usd; }},
      {"time_to_detect_s", [](const Summary& s) { return s.time_to_detect_s; }},
      {"time_to_mitigate_s", [](const Summary& s) { return s.time_to_mitigate_s; }},
      {"incident_duration_s", [](const Summary& s) { return s.incident_duration_s; }},
      {"hosts_on_target_version",
       [](const Summary& s) -> std::optional<double> {
         return static_cast<double>(s.hosts_on_target_version);
       }},
      {"max_hosts_misbehaving",
       [](const Summary& s) -> std::optional<double> {
         return static_cast<double>(s.max_hosts_misbehaving);
       }},
      {"alerts_fired", [](const Summary& s) -> std::optional<double> { return s.alerts_fired; }},
      {"failed_requests",
       [](const Summary& s) -> std::optional<double> { return s.failed_requests; }},
      {"users_affected",
       [](const Summary& s) -> std::optional<double> { return s.users_affected; }},
      {"error_budget_consumed",
       [](const Summary& s) -> std::optional<double> { return s.error_budget_consumed; }},
      {"events_processed",
       [](const Summary& s) -> std::optional<double> {
         return static_cast<double>(s.events_processed);
       }},
  };
  return metrics;
}

const Metric* find_metric(std::string_view name) {
  for (const auto& metric : summary_metrics()) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

const Metric& require_metric(std::string_view name) {
  if (const Metric* metric = find_metric(name)) return *metric;
  std::vector<std::string> names;
  for (const auto& metric : summary_metrics()) names.push_back(metric.name);
  const auto suggestion = input::did_you_mean(std::string(name), names);
  throw std::invalid_argument("unknown metric \"" + std::string(name) + "\"" +
                              (suggestion.empty() ? "; metrics: " + input::quote_list(names)
                                                  : "; did you mean \"" + suggestion + "\"?"));
}

EventRule parse_event_rule(const std::string& text) {
  const auto op = text.find_first_of("<>");
  if (op == std::string::npos || op == 0 || op + 1 == text.size()) {
    throw std::invalid_argument("\"" + text +
                                "\" is not an event: expected METRIC>VALUE or METRIC<VALUE, "
                                "e.g. loss_usd>1e6");
  }
  EventRule rule;
  rule.text = text;
  try {
    rule.metric = &require_metric(text.substr(0, op));
  } catch (const std::invalid_argument& unknown) {
    throw std::invalid_argument("\"" + text + "\": " + unknown.what());
  }
  rule.above = text[op] == '>';
  const std::string value = text.substr(op + 1);
  std::size_t used = 0;
  try {
    rule.threshold = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || !std::isfinite(rule.threshold)) {
    throw std::invalid_argument("\"" + text + "\": expected a number after '" + text[op] +
                                "', found \"" + value + "\"");
  }
  return rule;
}

MetricsAccumulator::MetricsAccumulator(std::vector<EventRule> events)
    : metrics_(summary_metrics().size()),
      events_(std::move(events)),
      event_counts_(events_.size(), 0) {}

void MetricsAccumulator::add(const simulation::Summary& summary) {
  ++runs_;
  const auto& metrics = summary_metrics();
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    const auto value = metrics[m].read(summary);
    if (!value) {
      ++metrics_[m].missing;
      continue;
    }
    metrics_[m].stats.add(*value);
    metrics_[m].quantiles.add(*value);
  }
  for (std::size_t e = 0; e < events_.size(); ++e) {
    const auto value = events_[e].metric->read(summary);
    if (value &&
        (events_[e].above ? *value > events_[e].threshold : *value < events_[e].threshold)) {
      ++event_counts_[e];
    }
  }
  auto outcome = std::find_if(outcomes_.begin(), outcomes_.end(),
                              [&](const auto& o) { return o.first == summary.deploy_outcome; });
  if (outcome == outcomes_.end()) {
    outcomes_.emplace_back(summary.deploy_outcome, 1);
  } else {
    ++outcome->second;
  }
}

}  // namespace deploysim::experiment
