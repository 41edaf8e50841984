#pragma once
// The world a run acts on: the kernel, the fleet, the record of what happened, and the actions
// that people, automation and the timeline can take. Strategies, monitoring and responders all
// act through it, so each action is implemented once.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "engine/trace.hpp"
#include "model/fault_plan.hpp"
#include "model/fleet.hpp"
#include "model/remediation.hpp"
#include "model/slo.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

/// How a deployment ended (DESIGN.md result contract).
enum class DeployOutcome { not_started, in_progress, completed, rolled_back, halted, failed };
std::string_view outcome_name(DeployOutcome outcome);

/// What a running deployment offers to the rest of the world. Implemented by the strategies.
class Rollout {
 public:
  virtual ~Rollout() = default;
  /// Puts the previous version back (or shifts traffic back to stable), as the strategy's real
  /// tool does; `who` is a person or "automation".
  virtual void rollback(std::string_view reason, std::string_view who) = 0;
  /// Stops progressing (a halt): hosts not yet updated stay as they are.
  virtual void halt() = 0;
  /// Moves a rollout waiting for a person on (a blue/green waiting for promotion); returns
  /// false when there is nothing to promote.
  virtual bool promote(std::string_view /*who*/) { return false; }
  virtual DeployOutcome outcome() const = 0;
};

/// Counters of what happened, for the summary.
struct WorldCounters {
  int alerts_fired = 0;
  int alerts_ignored = 0;
  int signals_emitted = 0;
  int flag_changes_blocked = 0;
  int commands_refused = 0;  ///< halts and removes the command gate refused
  int actions_taken = 0;
  std::optional<engine::Time> detected_at;  ///< first alert somebody acted on
  std::optional<engine::Time> deploy_finished_at;
};

class World : private FleetObserver {
 public:
  World(const spec::Scenario& scenario, std::uint64_t seed);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const spec::Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  engine::Kernel& kernel() { return kernel_; }
  const engine::Kernel& kernel() const { return kernel_; }
  Fleet& fleet() { return fleet_; }
  const Fleet& fleet() const { return fleet_; }
  engine::Time now() const { return kernel_.now(); }

  /// The random stream `name` of this run.
  engine::RandomStream stream(std::string_view name) const { return {seed_, name}; }

  // --- recording ---
  /// Sends a record to the trace sink; notable records are also kept in the story, the short
  /// timeline a summary prints.
  void record(engine::TraceRecord record, bool notable);
  /// Whether anything listens to per-host records (skip building them otherwise).
  bool tracing() const { return trace_ != nullptr; }
  void set_trace(engine::TraceSink* sink) { trace_ = sink; }
  const std::vector<engine::TraceRecord>& story() const { return story_; }
  /// Hands the story over (the run is over).
  std::vector<engine::TraceRecord> take_story() { return std::exchange(story_, {}); }
  WorldCounters& counters() { return counters_; }
  /// Something acted on a sign of the incident (an alert somebody handles, a kill switch, a
  /// failed canary analysis): the first such moment after the incident began is its detection.
  void note_detection() {
    incidents_.flush();
    if (!counters_.detected_at && incidents_.started()) counters_.detected_at = now();
  }
  /// Service levels and the incident as users see it.
  IncidentTracker& incidents() { return incidents_; }
  const IncidentTracker& incidents() const { return incidents_; }
  /// Crashed hosts: restarts and repairs by hand.
  const Remediation& remediation() const { return remediation_; }
  const WorldCounters& counters() const { return counters_; }
  /// The fault schedule the model consults at its decision points; null in an ordinary run.
  FaultPlan* faults() const { return faults_; }
  void set_faults(FaultPlan* plan) { faults_ = plan; }
  /// The fault planned at a decision point now, or nullptr (always nullptr without a plan).
  const Fault* fault_at(FaultKind kind, std::string_view target) const {
    return faults_ == nullptr ? nullptr : faults_->consult(kind, target, now());
  }
  /// The story's note of a planned fault taking effect, the first time it does.
  void note_fault(const Fault& fault, std::string what) {
    if (faults_ == nullptr || !faults_->first_note(fault)) return;
    record({now(), "fault", fault.target, {{"detail", std::move(what) + " (planned fault)"}}},
           true);
  }

  // --- the deployment ---
  void set_rollout(Rollout* rollout) { rollout_ = rollout; }
  Rollout* rollout() const { return rollout_; }
  /// Hosts the deployment targets (its groups, or every group of its service).
  const std::vector<HostIndex>& deployment_hosts() const { return deployment_hosts_; }
  /// A host added to a deployment group before the rollout began (by an autoscaler): strategies
  /// that read the list when they begin (rolling, all at once, manual) update it too.
  void add_deployment_host(HostIndex host) {
    if (std::find(deployment_groups_.begin(), deployment_groups_.end(), fleet_.group_of(host)) !=
        deployment_groups_.end()) {
      deployment_hosts_.push_back(host);
    }
  }
  /// Hosts in the deployment's groups that are not terminated (surge and canary hosts included).
  std::int64_t deployment_live_hosts() const;
  /// The version index the deployment installs; nullopt without a deployment.
  std::optional<VersionIndex> target_version() const { return target_version_; }

  // --- actions ---
  /// Turns a flag on or off in `group` (empty: the flag's whole scope). With the pre-flight gate,
  /// turning it on is refused while a host in scope runs another version than the target.
  /// Returns false if refused.
  bool set_flag(std::string_view flag, std::string_view group, bool on, double percent,
                std::string_view who);
  /// Rolls the code back: through the rollout if one exists, else every host in `group` (empty:
  /// the deployment's hosts) returns to its previous version at once.
  void rollback_code(std::string_view group, std::string_view who, std::string_view reason);
  /// Kill switch: takes every host of `group` (empty: every group) out of rotation.
  void halt(std::string_view group, std::string_view who, std::string_view reason);
  /// Kill switch on a component: halts every host of `service`, whose callers then skip their
  /// calls to it instead of failing them (model/fleet.hpp, switch_off_service).
  void switch_off_service(std::string_view service, std::string_view who, std::string_view reason);
  /// Lifts a halt: the halted hosts start again and serve once their service's host_start has
  /// passed; hosts a deployment is installing are left to it.
  void resume(std::string_view group, std::string_view who);
  /// A person's or the timeline's halt or remove of `hosts` of `group` (absent: all of it;
  /// empty group: every group), checked first by the scenario's command gate. Returns false
  /// when the gate refuses it (docs/commands.md).
  bool command_capacity(spec::ActionKind action, std::string_view group,
                        const std::optional<spec::CountOrPercent>& hosts, std::string_view who,
                        std::string_view reason);

  /// Called whenever a person, automation or the timeline turns flag `flag` off through set_flag
  /// (a staged push stops then: strategy/flag_push.hpp).
  using FlagOffListener = std::function<void(std::uint32_t flag, std::string_view who)>;
  void add_flag_off_listener(FlagOffListener listener) {
    flag_off_listeners_.push_back(std::move(listener));
  }

  /// Hosts in the flag's scope that run a version other than the deployment target.
  std::vector<HostIndex> inconsistent_hosts(std::uint32_t flag) const;

 private:
  std::vector<std::uint32_t> groups_named(std::string_view group) const;
  struct CapacityCut;
  std::vector<CapacityCut> plan_cut(std::string_view group,
                                    const std::optional<spec::CountOrPercent>& hosts) const;
  std::optional<std::string> gate_refusal(const std::vector<CapacityCut>& cuts) const;
  void fleet_will_change() override { incidents_.before_change(); }
  void fleet_changed() override { incidents_.changed(); }
  void host_crashed(std::uint32_t h) override { remediation_.host_crashed(h); }
  void cold_restart_began(engine::Time until) override {
    kernel_.call_after(until - now(), [this](engine::Kernel&) { fleet_.cold_restart_ended(); });
  }

  const spec::Scenario& scenario_;
  std::uint64_t seed_;
  engine::Kernel kernel_;
  Fleet fleet_;
  IncidentTracker incidents_;
  Remediation remediation_;
  std::vector<std::uint64_t> start_generation_;  // by group: resumes so far
  engine::TraceSink* trace_ = nullptr;
  std::vector<engine::TraceRecord> story_;
  WorldCounters counters_;
  Rollout* rollout_ = nullptr;
  std::vector<HostIndex> deployment_hosts_;
  std::vector<std::uint32_t> deployment_groups_;
  std::optional<VersionIndex> target_version_;
  std::vector<FlagOffListener> flag_off_listeners_;
  FaultPlan* faults_ = nullptr;
};

}  // namespace deploysim::model
