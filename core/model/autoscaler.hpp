#pragma once
// Autoscaling a group of hosts (docs/capacity.md): the Kubernetes HorizontalPodAutoscaler's
// algorithm (pkg/controller/podautoscaler: replica_calculator.go and horizontal.go), and a PaaS
// mode that also scales to zero after an idle time and wakes on the first request (Heroku's
// sleeping dynos, Knative's activator).
//
// The algorithm is in two pure parts that tests drive by hand, hpa_metric_replicas (the replica
// calculator) and HpaBehavior (stabilisation windows and scaling policies), and a process that
// runs them every sync period against the load model and adds or removes hosts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.hpp"
#include "model/capacity.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

/// The replica calculator for a utilisation metric: ceil(ready × utilisation / target), or no
/// change within the tolerance. Pods not ready (starting, surge pods being installed) report no
/// metric: when scaling up they are counted at zero utilisation, and if that flips the decision
/// or brings it within the tolerance the answer is `current`; when scaling down they are left
/// out. With no ready pod there is no metric and the answer is `current`.
std::int64_t hpa_metric_replicas(std::int64_t current, std::int64_t ready, std::int64_t unready,
                                 double utilization, double target, double tolerance);

/// behavior: the stabilisation windows and scaling policies of autoscaling/v2, with min and max.
class HpaBehavior {
 public:
  HpaBehavior(const spec::ScalingRules& up, const spec::ScalingRules& down,
              std::int64_t min_replicas, std::int64_t max_replicas);
  struct Decision {
    std::int64_t replicas = 0;
    std::string reason;  ///< Kubernetes' condition reason: ScaleUpLimit, TooFewReplicas, ...
  };
  /// normalizeDesiredReplicasWithBehaviors: stabilises `desired` against the recommendations of
  /// the windows (recording it), then bounds it by the policies and min/max.
  Decision normalize(engine::Time now, std::int64_t current, std::int64_t desired);
  /// A scale from `from` to `to` happened (the policies count changes per period).
  void record_scale(engine::Time now, std::int64_t from, std::int64_t to);

 private:
  struct Event {
    engine::Time at;
    std::int64_t change = 0;
  };
  std::int64_t change_in_period(const std::vector<Event>& events, engine::Time now,
                                engine::Duration period) const;
  std::int64_t scale_up_limit(engine::Time now, std::int64_t current) const;
  std::int64_t scale_down_limit(engine::Time now, std::int64_t current) const;

  spec::ScalingRules up_;
  spec::ScalingRules down_;
  std::int64_t min_;
  std::int64_t max_;
  std::vector<std::pair<engine::Time, std::int64_t>> recommendations_;
  std::vector<Event> up_events_;
  std::vector<Event> down_events_;
};

/// One autoscaler acting on one group every sync period.
class Autoscaler : public engine::Process {
 public:
  Autoscaler(World& world, LoadModel& load, const spec::Autoscaler& params);
  /// Schedules the first sync one period after time 0.
  void start();
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

  std::uint32_t group() const { return group_; }
  /// The replica count the autoscaler has set (the Deployment's spec.replicas).
  std::int64_t replicas() const { return spec_; }
  int scaling_events() const { return events_; }
  /// For the load model when the group serves nothing: wakes a scaled-to-zero app, and says how
  /// long until a starting host is ready (nullopt: none is starting).
  std::optional<double> cold_start(std::uint32_t group);

 private:
  static constexpr std::uint64_t kSyncTag = 0;
  static constexpr std::uint64_t kReadyTag = std::uint64_t{1} << 40;

  void sync();
  void replace_outdated_hosts();
  void scale_to(std::int64_t replicas, const std::string& reason);
  void add_hosts(std::int64_t count, VersionIndex version);
  void remove_hosts(std::int64_t count);
  VersionIndex template_version() const;
  bool rollout_on_group() const;

  World& world_;
  LoadModel& load_;
  const spec::Autoscaler& params_;
  std::uint32_t group_ = 0;
  HpaBehavior behavior_;
  std::int64_t spec_ = 0;
  int events_ = 0;
  int story_events_ = 0;
  engine::Time last_request_;
  std::vector<std::pair<HostIndex, engine::Time>> starting_;  // hosts provisioning, ready time
  std::vector<HostIndex> created_;                            // hosts it added, oldest first
  std::vector<std::uint8_t> own_;                             // by host: in created_
  std::vector<HostIndex> retiring_;        // outdated hosts leaving as their replacements get ready
  std::int64_t surplus_replacements_ = 0;  // replacements whose outdated host a scale down took
};

}  // namespace deploysim::model
