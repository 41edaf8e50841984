#pragma once
// Simulation(scenario, seed): wires the world, monitoring, people, automation, the timeline and
// the deployment strategy together, runs them on one kernel, and produces the Result that every
// front end (CLI, Python, GUI) shows. It can be driven step by step for the GUI.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/trace.hpp"
#include "model/autoscaler.hpp"
#include "model/capacity.hpp"
#include "model/monitoring.hpp"
#include "model/people.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"
#include "strategy/flag_push.hpp"

namespace deploysim::strategy {
class Strategy;
}

namespace deploysim::simulation {

/// The incident keys of one service, or of the whole fleet (docs/incidents.md).
struct IncidentSummary {
  std::optional<double> time_to_detect_s;
  std::optional<double> time_to_mitigate_s;  ///< the cause stopped
  std::optional<double> time_to_recover_s;   ///< users back within every objective
  std::optional<double> incident_duration_s;
  double host_minutes_unavailable = 0.0;
  std::int64_t blast_radius_hosts = 0;
  double failed_requests = 0.0;
  double users_affected = 0.0;
  /// Failed requests over the requests the objective allows to fail (1 = all of it); null for an
  /// objective of 100%, which allows none.
  std::optional<double> error_budget_consumed;
  std::optional<double> incident_start_s;
  double availability_objective_percent = 0.0;
  std::optional<double> latency_objective_ms;
  nlohmann::ordered_json to_json() const;
};

/// A remediation team's work so far (model/remediation.hpp).
struct RemediationSummary {
  std::string team;
  std::int64_t technicians = 0;
  std::int64_t hosts_repaired = 0;
  std::int64_t hosts_awaiting_repair = 0;
  std::optional<double> first_crash_s;
  std::optional<double> last_repair_s;
};

/// The result contract of DESIGN.md. Quantities that did not occur are nullopt (null in JSON).
struct Summary {
  double loss_usd = 0.0;
  std::optional<double> time_to_detect_s;
  std::optional<double> time_to_mitigate_s;
  std::optional<double> time_to_recover_s;
  std::optional<double> incident_duration_s;
  double host_minutes_unavailable = 0.0;
  std::int64_t blast_radius_hosts = 0;
  std::string deploy_outcome = "not_started";
  std::int64_t hosts_total = 0;
  /// Live hosts in the groups the deployment targets (hosts_total counts the whole fleet).
  std::int64_t deployment_hosts = 0;
  std::int64_t hosts_on_target_version = 0;
  std::int64_t max_hosts_misbehaving = 0;
  int alerts_fired = 0;
  std::uint64_t events_processed = 0;
  std::uint64_t seed = 0;
  // Beyond the contract.
  int alerts_ignored = 0;
  int signals_emitted = 0;
  int flag_changes_blocked = 0;
  /// Halts and removes refused by the command gate; only with a gate (docs/commands.md).
  std::optional<int> commands_refused;
  double failed_requests = 0.0;
  double users_affected = 0.0;
  /// Failed requests as a fraction of the error budget (1 = all of it).
  double error_budget_consumed = 0.0;
  std::optional<double> incident_start_s;
  double end_s = 0.0;
  // The load model's (null without one).
  std::optional<double> peak_utilization;
  std::optional<double> overload_s;
  std::optional<int> scaling_events;
  /// By service, in the scenario's order.
  std::vector<std::pair<std::string, IncidentSummary>> services;
  std::vector<RemediationSummary> remediation;
  /// Each of /changes, in the scenario's order (empty without: no "changes" key in JSON).
  std::vector<strategy::ChangeSummary> changes;

  nlohmann::ordered_json to_json() const;
};

struct Result {
  Summary summary;
  model::TimeSeries timeseries;
  /// Notable events: deploy milestones, flags, alerts, actions.
  std::vector<engine::TraceRecord> story;
};

class Simulation {
 public:
  /// `trace`, if given, receives every record (per host too) and must outlive the simulation.
  /// `faults`, if given, is the fault schedule the model consults at its decision points
  /// (model/fault_plan.hpp); it records what the run reached and must outlive the simulation.
  Simulation(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace = nullptr,
             model::FaultPlan* faults = nullptr);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Runs to the scenario's end time.
  void run();
  /// Runs until `limit` (capped at the end time).
  void run_until(engine::Time limit);
  /// Processes one event; false once the end time is reached or nothing is pending.
  bool step();
  bool finished() const;

  engine::Time now() const { return world_.now(); }
  engine::Time end() const { return scenario_.clock.end; }
  const model::World& world() const { return world_; }
  const model::TimeSeries& timeseries() const { return monitor_.series(); }

  /// The summary as of now, for an observer: it draws no random number, samples nothing and
  /// fires nothing, so a run looked at after every event ends exactly as one never looked at.
  /// The time series so far is timeseries(), the story so far world().story().
  Summary snapshot() const;
  /// The result: once the run has reached its end, the final one (monitoring's last sample
  /// included); before that, the snapshot with the time series and story so far.
  Result result() &;
  /// The same, moving the time series and story out of a simulation that is done with them
  /// (no copy of a run's largest buffers).
  Result result() &&;

 private:
  // Monitoring's last sample at the end time, once, whoever reaches the end.
  void finalize();
  void on_alert(const spec::AlertRule& rule);
  void page(std::string_view person, std::string_view alert);
  void schedule_timeline();
  // When a timeline entry runs: earlier for a flag_early fault on its flag.
  engine::Time timeline_time(const spec::TimelineEntry& entry, std::vector<bool>& early_taken);
  // A group_unreachable fault on each deployment group, as the deployment starts.
  void cut_off_groups();
  void schedule_changes();
  void timeline_flag_stage(const spec::TimelineEntry& entry, const std::string& who);
  void kill_switch(const spec::AlertRule& rule);
  void summarise_incidents(Summary& s) const;

  const spec::Scenario& scenario_;
  model::World world_;
  model::Monitor monitor_;
  std::vector<std::unique_ptr<model::Responder>> responders_;
  std::unique_ptr<model::LoadModel> load_;
  std::vector<std::unique_ptr<model::Autoscaler>> autoscalers_;
  std::unique_ptr<strategy::Strategy> strategy_;
  std::vector<std::unique_ptr<strategy::FlagPush>> pushes_;
  // By flag: the timeline has turned it on (its stages have begun), and somebody else has since
  // turned it off, which ends the timeline's stages (timeline_flag_stage).
  std::vector<bool> timeline_staged_;
  std::vector<bool> stopped_by_others_;
  bool in_timeline_ = false;
  bool finalized_ = false;
};

/// Runs a scenario to its end: the one-call form used by the CLI, experiments and Python.
Result run(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace = nullptr,
           model::FaultPlan* faults = nullptr);

}  // namespace deploysim::simulation
