#pragma once
// Monitoring: samples fleet metrics every scrape interval into a time series, evaluates alert
// rules (threshold held for a duration), and emits signals (messages code sends while a condition
// holds). What fires is passed on through callbacks; monitoring never acts by itself.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

class LoadModel;

/// Columns of doubles sampled at the same instants; column-major so each column can be handed to
/// numpy or a chart without copying.
struct TimeSeries {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  ///< values[column][row]
  std::size_t rows() const { return values.empty() ? 0 : values.front().size(); }
  /// The column called `name`, or nullptr.
  const std::vector<double>* column(std::string_view name) const;
};

/// The value of a metric in the fleet right now (without noise).
double metric_value(const World& world, spec::Metric metric);

class Monitor : public engine::Process {
 public:
  /// Called when a rule starts firing; `ignored` rules are reported too.
  using AlertCallback = std::function<void(const spec::AlertRule&)>;

  Monitor(World& world, AlertCallback on_alert, AlertCallback on_kill_switch);
  /// Adds the load model's columns (replicas, utilisation, latency percentiles, overload errors);
  /// call before start().
  void set_load_model(const LoadModel* load);
  /// Schedules the first sample at time 0 and each signal at its start.
  void start();
  /// Samples once more at the current time (the end of a run), without scheduling.
  void sample_now();
  /// Whether the alert called `name` is firing right now.
  bool is_firing(std::string_view name) const;
  const TimeSeries& series() const { return series_; }
  /// Hands the series over once sampling is over; the monitor is left empty.
  TimeSeries take_series() { return std::exchange(series_, {}); }

  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  struct RuleState {
    const spec::AlertRule* rule;
    std::optional<engine::Time> pending_since;
    bool firing = false;
    bool scrape_lost = false;  // a scrape_missed fault has taken its one scrape
  };
  // How long the rule's condition must hold before it fires, with any planned fault; nullopt
  // when a fault keeps it from firing at all.
  std::optional<engine::Duration> hold_time(RuleState& state);
  void sample();
  /// Whether it fired, calling `callback` (which may change the fleet).
  bool evaluate(RuleState& state, double value, const AlertCallback& callback);
  void emit_signal(std::size_t index);

  World& world_;
  AlertCallback on_alert_;
  AlertCallback on_kill_switch_;
  engine::RandomStream noise_;
  std::vector<RuleState> rules_;
  std::optional<RuleState> kill_switch_;
  std::vector<spec::AlertRule> signal_rules_;
  std::vector<bool> signal_firing_;
  std::vector<VersionIndex> version_columns_;
  const LoadModel* load_ = nullptr;
  std::size_t load_first_column_ = 0;
  std::size_t remediation_first_column_ = 0;  ///< 0: no remediation team
  TimeSeries series_;
  engine::Time last_sample_ = engine::Time::from_ms(-1);
};

}  // namespace deploysim::model
