#include "model/monitoring.hpp"

#include <algorithm>

#include "model/capacity.hpp"
#include "model/measure.hpp"

namespace deploysim::model {

namespace {
// Tags: sampling uses 0; signal i uses 1 + i.
constexpr std::uint64_t kSampleTag = 0;

// Fixed columns, then one "hosts_<version>" column per version of the deployed service.
const std::vector<std::string> kFixedColumns = {"time_s",
                                                "error_rate",
                                                "latency_ms",
                                                "loss_usd",
                                                "loss_rate_usd_per_min",
                                                "misbehaving_hosts",
                                                "serving_hosts",
                                                "hosts_on_target",
                                                "alerts_firing"};
}  // namespace

const std::vector<double>* TimeSeries::column(std::string_view name) const {
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == name) return &values[c];
  }
  return nullptr;
}

double metric_value(const World& world, spec::Metric metric) {
  return metric_of(world.fleet().sums(world.target_version()), metric,
                   world.scenario().business.base_latency_ms);
}

Monitor::Monitor(World& world, AlertCallback on_alert, AlertCallback on_kill_switch)
    : world_(world),
      on_alert_(std::move(on_alert)),
      on_kill_switch_(std::move(on_kill_switch)),
      noise_(world.stream("monitoring/noise")) {
  const auto& scenario = world.scenario();
  for (const auto& rule : scenario.monitoring.alerts) rules_.push_back({&rule, {}, false});
  if (scenario.automation.kill_switch) {
    kill_switch_ = RuleState{&*scenario.automation.kill_switch, {}, false};
  }
  // A signal treated as an alert pages people like an alert rule that fires while it is sent.
  for (const auto& signal : scenario.monitoring.signals) {
    spec::AlertRule rule;
    rule.name = signal.name;
    rule.notify = signal.notify;
    rule.ignored = !signal.treated_as_alert;
    signal_rules_.push_back(std::move(rule));
  }
  signal_firing_.assign(signal_rules_.size(), false);
  series_.columns = kFixedColumns;
  if (world.target_version()) {
    const auto& fleet = world.fleet();
    const auto service = fleet.versions()[*world.target_version()].service;
    for (std::size_t v = 0; v < fleet.versions().size(); ++v) {
      if (fleet.versions()[v].service != service) continue;
      version_columns_.push_back(static_cast<VersionIndex>(v));
      series_.columns.push_back("hosts_" + fleet.versions()[v].name);
    }
  }
  // The remediation curve: repairs done so far and hosts still waiting for hands.
  if (world.remediation().has_teams()) {
    remediation_first_column_ = series_.columns.size();
    series_.columns.push_back("hosts_repaired");
    series_.columns.push_back("hosts_awaiting_repair");
  }
  series_.values.resize(series_.columns.size());
}

namespace {
const std::vector<std::string> kLoadColumns = {
    "load_rps",       "replicas",       "utilization",        "latency_p50_ms",
    "latency_p95_ms", "latency_p99_ms", "overload_error_rate"};
}  // namespace

void Monitor::set_load_model(const LoadModel* load) {
  load_ = load;
  load_first_column_ = series_.columns.size();
  series_.columns.insert(series_.columns.end(), kLoadColumns.begin(), kLoadColumns.end());
  series_.values.resize(series_.columns.size());
}

void Monitor::start() {
  // One row per scrape until the clock's end: reserving the columns once keeps sampling from
  // reallocating and copying them as they grow: 14% of a sample's instructions in the Knight
  // replay, a sample a minute for five days. Capped so that a long run scraped often does not
  // reserve much memory up front.
  constexpr std::int64_t kMaxReservedRows = std::int64_t{1} << 17;
  const auto& scenario = world_.scenario();
  const std::int64_t span_ms = (scenario.clock.end - engine::Time::zero()).ms();
  // Samples at 0, every interval up to the end, and one more when the result is taken.
  const std::int64_t rows = std::clamp<std::int64_t>(
      span_ms / scenario.monitoring.scrape_interval.ms() + 2, 0, kMaxReservedRows);
  for (auto& column : series_.values) column.reserve(static_cast<std::size_t>(rows));
  world_.kernel().wake_at(engine::Time::zero(), *this, kSampleTag);
  const auto& signals = world_.scenario().monitoring.signals;
  for (std::size_t i = 0; i < signals.size(); ++i) {
    world_.kernel().wake_at(std::max(signals[i].start, engine::Time::zero()), *this, 1 + i);
  }
}

bool Monitor::is_firing(std::string_view name) const {
  for (std::size_t i = 0; i < signal_rules_.size(); ++i) {
    if (signal_firing_[i] && signal_rules_[i].name == name) return true;
  }
  return std::any_of(rules_.begin(), rules_.end(),
                     [&](const RuleState& s) { return s.firing && s.rule->name == name; });
}

void Monitor::on_wake(engine::Kernel& kernel, std::uint64_t tag) {
  if (tag == kSampleTag) {
    sample();
    kernel.wake_after(world_.scenario().monitoring.scrape_interval, *this, kSampleTag);
    return;
  }
  emit_signal(tag - 1);
}

void Monitor::sample_now() {
  if (last_sample_ != world_.now()) sample();
}

void Monitor::sample() {
  last_sample_ = world_.now();
  const double noise = world_.scenario().monitoring.noise;
  Fleet& fleet = world_.fleet();
  const double base_latency_ms = world_.scenario().business.base_latency_ms;
  // Every metric of this instant comes from one HostSums; only an alert's callback can change
  // the fleet in between, so the sums are added up again after one fires.
  HostSums sums = fleet.sums(world_.target_version());
  const auto resum = [&](bool fired) {
    if (fired) sums = fleet.sums(world_.target_version());
  };
  auto observed = [&](spec::Metric metric) {
    const double value = metric_of(sums, metric, base_latency_ms);
    // Counts of hosts are exact; rates and latencies are measured with relative noise.
    if (noise <= 0.0 || metric == spec::Metric::misbehaving_hosts ||
        metric == spec::Metric::hosts_on_target) {
      return value;
    }
    return std::max(0.0, value * (1.0 + noise_.normal(0.0, 1.0) * noise));
  };
  int firing = 0;
  for (auto& state : rules_) {
    resum(evaluate(state, observed(state.rule->metric), on_alert_));
    if (state.firing) ++firing;
  }
  if (kill_switch_) {
    resum(evaluate(*kill_switch_, observed(kill_switch_->rule->metric), on_kill_switch_));
  }

  const Impact impact = fleet.impact_now();
  const auto measured = [&](spec::Metric metric) {
    return metric_of(sums, metric, base_latency_ms);
  };
  const double row[] = {world_.now().to_seconds(),
                        measured(spec::Metric::error_rate),
                        measured(spec::Metric::latency_ms),
                        impact.loss_usd,
                        measured(spec::Metric::loss_rate_usd_per_min),
                        measured(spec::Metric::misbehaving_hosts),
                        static_cast<double>(sums.serving),
                        measured(spec::Metric::hosts_on_target),
                        static_cast<double>(firing)};
  for (std::size_t c = 0; c < kFixedColumns.size(); ++c) series_.values[c].push_back(row[c]);
  for (std::size_t i = 0; i < version_columns_.size(); ++i) {
    series_.values[kFixedColumns.size() + i].push_back(
        static_cast<double>(fleet.hosts_on_version(version_columns_[i])));
  }
  if (remediation_first_column_ > 0) {
    series_.values[remediation_first_column_].push_back(
        static_cast<double>(world_.remediation().repaired()));
    series_.values[remediation_first_column_ + 1].push_back(
        static_cast<double>(world_.remediation().awaiting()));
  }
  if (load_ != nullptr) {
    const LoadFigures& f = load_->figures();
    const double load_row[] = {f.requests_per_s,
                               static_cast<double>(f.serving_replicas),
                               f.peak_utilization,
                               f.p50_ms,
                               f.p95_ms,
                               f.p99_ms,
                               f.requests_per_s > 0.0 ? f.failed_per_s / f.requests_per_s : 0.0};
    for (std::size_t c = 0; c < kLoadColumns.size(); ++c) {
      series_.values[load_first_column_ + c].push_back(load_row[c]);
    }
  }
}

bool Monitor::evaluate(RuleState& state, double value, const AlertCallback& callback) {
  const auto& rule = *state.rule;
  const bool breached = rule.below ? value < rule.threshold : value > rule.threshold;
  if (!breached) {
    state.pending_since.reset();
    if (state.firing) {
      state.firing = false;
      world_.record({world_.now(), "alert_resolved", rule.name, {}}, !rule.ignored);
    }
    return false;
  }
  if (state.firing) return false;
  if (!state.pending_since) {
    const Fault* lost = world_.faults() != nullptr && !state.scrape_lost
                            ? world_.fault_at(FaultKind::scrape_missed, rule.name)
                            : nullptr;
    if (lost != nullptr) {
      state.scrape_lost = true;  // this scrape never arrived: the condition is not yet seen
      world_.note_fault(*lost, "the scrape that first finds " + rule.name + "'s condition is lost");
      return false;
    }
    state.pending_since = world_.now();
  }
  const auto hold =
      world_.faults() == nullptr ? std::optional(rule.for_duration) : hold_time(state);
  if (!hold || world_.now() - *state.pending_since < *hold) return false;
  state.firing = true;
  world_.record(
      {world_.now(),
       "alert_fired",
       rule.name,
       {{"metric", std::string(metric_name(rule.metric))},
        {"value", value},
        {"threshold", rule.threshold},
        {"level",
         std::string(rule.level == spec::AlertRule::Level::critical ? "critical" : "warning")},
        {"ignored", rule.ignored}}},
      true);
  callback(rule);
  return true;
}

std::optional<engine::Duration> Monitor::hold_time(RuleState& state) {
  const auto& rule = *state.rule;
  if (const Fault* silent = world_.fault_at(FaultKind::alert_silent, rule.name)) {
    world_.note_fault(*silent, "alert " + rule.name + " does not fire");
    return std::nullopt;
  }
  if (const Fault* late = world_.fault_at(FaultKind::alert_late, rule.name)) {
    const auto delay = world_.faults()->late_by(*late);
    world_.note_fault(*late,
                      "alert " + rule.name + " fires " + engine::format_duration(delay) + " late");
    return rule.for_duration + delay;
  }
  return rule.for_duration;
}

void Monitor::emit_signal(std::size_t index) {
  const auto& signal = world_.scenario().monitoring.signals[index];
  const auto flag = world_.fleet().find_flag(signal.flag);
  // The code warns while the flag is still off and some host in its scope lacks the version that
  // gives it its intended meaning; once the flag is on, the misbehaviour itself takes over.
  bool condition = false;
  if (flag) {
    const auto& groups = world_.fleet().flags()[*flag].on_in_group;
    const bool on_somewhere = std::find(groups.begin(), groups.end(), true) != groups.end();
    condition = !on_somewhere && !world_.inconsistent_hosts(*flag).empty();
  }
  if (condition) {
    auto& counters = world_.counters();
    ++counters.signals_emitted;
    // The first message of a signal goes in the story; every one goes to the trace.
    const bool first = counters.signals_emitted == 1;
    world_.record({world_.now(),
                   "signal",
                   signal.name,
                   {{"treated_as_alert", signal.treated_as_alert},
                    {"count", std::int64_t{counters.signals_emitted}}}},
                  first);
    if (signal.treated_as_alert && !signal_firing_[index]) {
      signal_firing_[index] = true;
      on_alert_(signal_rules_[index]);
    }
  } else {
    signal_firing_[index] = false;
  }
  world_.kernel().wake_after(signal.every, *this, 1 + index);
}

}  // namespace deploysim::model
