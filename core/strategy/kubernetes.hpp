#pragma once
// The Kubernetes Deployment controller's RollingUpdate (rolling with batch_size == 0): the
// reconcile pass of pkg/controller/deployment/rolling.go. New pods are new hosts, old pods are
// terminated, and maxSurge / maxUnavailable bound both at every instant. A version that never
// becomes ready stalls the rollout with the old pods still serving; Kubernetes only reports the
// progress deadline, it never rolls back by itself. docs/strategies/rolling.md maps every key;
// the in-place batch form of rolling is strategy/rolling.hpp.
//
// Per-host work is O(1) and nothing scans the fleet per event: pods live in per-state lists with
// swap-and-pop removal, so the controller handles 1,000,000 replicas.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "strategy/progress_deadline.hpp"
#include "strategy/strategy.hpp"

namespace deploysim::strategy {

/// maxSurge and maxUnavailable resolved to pod counts for a number of replicas.
struct Fenceposts {
  std::int64_t surge = 0;
  std::int64_t unavailable = 0;
};

/// Kubernetes' ResolveFenceposts: a percentage of surge rounds up, of unavailable rounds down
/// (so that no value under 100% ever means every pod down); if both come to 0, unavailable is 1
/// so that the rollout can progress. Counts are taken as they are.
Fenceposts resolve_fenceposts(std::int64_t replicas, spec::CountOrPercent max_surge,
                              spec::CountOrPercent max_unavailable);

class KubernetesStrategy : public Strategy {
 public:
  KubernetesStrategy(model::World& world, const spec::Deployment& deployment,
                     const spec::RollingParams& params);

  void host_updated(HostIndex host, bool ok) override;
  /// `kubectl rollout undo`: a rolling update back to the old template with the same
  /// fenceposts, which deletes the new pods that never became available at once.
  void rollback(std::string_view reason, std::string_view who) override;
  /// `kubectl rollout pause`: pods in flight end, the controller does not act again.
  void halt() override;
  /// Dispatches the strategy's timers; unlike the base class it also runs them after the rollout
  /// has an outcome, because the controller keeps reconciling past a missed deadline and during
  /// an undo.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  // A pod's state; the first three index a replica set's lists. A terminating pod is no longer
  // counted by its replica set (as in Kubernetes) but its host is still being installed; it is
  // removed from the fleet when that ends.
  enum class Pod : std::uint8_t { unready, ready, available, none, terminating };
  struct ReplicaSet {
    // Pods by state. Deletion takes from the back of the first non-empty list, which is the
    // ReplicaSet controller's ranking: not ready before ready, ready before available.
    std::array<std::vector<HostIndex>, 3> pods;
    // Next slot (position in the deployment's host list) a pod created by this set fills: it
    // gives the new pod the group of the host it replaces.
    std::size_t next_slot = 0;
    std::int64_t replicas() const {
      return static_cast<std::int64_t>(pods[0].size() + pods[1].size() + pods[2].size());
    }
    std::int64_t available() const { return static_cast<std::int64_t>(pods[2].size()); }
  };

  void start() override;
  void progress() { deadline_.progress(world_.now()); }
  void on_deadline();
  void resolve_scale();
  void reconcile();
  void create_pods(int set, std::int64_t count);
  std::int64_t delete_pods(int set, std::int64_t count);
  void add_pod(int set, Pod state, HostIndex host);
  void unlist_pod(HostIndex host);
  void set_pod_state(HostIndex host, Pod state);
  void pod_available(HostIndex host);
  void note_stall(HostIndex host);
  void check_complete();
  std::int64_t forget_removed_pods();

  const spec::RollingParams& params_;
  const std::vector<HostIndex>& hosts_;  // the deployment's hosts, in order
  bool running_ = false;                 // the controller is acting
  bool rolling_back_ = false;
  ProgressDeadline deadline_;

  // sets_[0] is the old template (the hosts the deployment found), sets_[1] the target. The
  // controller scales new_set_ up and the other down; an undo swaps them.
  std::int64_t replicas_ = 0;
  Fenceposts fenceposts_;
  std::array<ReplicaSet, 2> sets_;
  int new_set_ = 1;
  bool stall_noted_ = false;
  std::vector<Pod> pod_state_;          // by host index
  std::vector<std::uint8_t> pod_set_;   // by host index
  std::vector<std::uint32_t> pod_pos_;  // by host index: position in its state list
};

}  // namespace deploysim::strategy
