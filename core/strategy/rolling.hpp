#pragma once
// Rolling updates, in the two forms people run them (docs/strategies/rolling.md maps every key):
//
// * In-place batches (batch_size > 0), as Ansible's `serial`: the deployment's hosts in order,
//   batch_size at a time, each drained, installed and health-checked through the HostUpdater.
//   Any failed host stops the rollout after its batch (max_fail_percentage: 0).
// * Kubernetes RollingUpdate (batch_size == 0): the Deployment controller's reconcile pass
//   (pkg/controller/deployment/rolling.go). New pods are new hosts, old pods are terminated, and
//   maxSurge / maxUnavailable bound both at every instant. A version that never becomes ready
//   stalls the rollout with the old pods still serving; Kubernetes only reports the progress
//   deadline, it never rolls back by itself.
//
// Per-host work is O(1) and nothing scans the fleet per event: pods live in per-state lists with
// swap-and-pop removal, so the controller handles 1,000,000 replicas.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

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

class RollingStrategy : public Strategy {
 public:
  RollingStrategy(model::World& world, const spec::Deployment& deployment,
                  const spec::RollingParams& params);

  void host_updated(HostIndex host, bool ok) override;
  /// Batches: the touched hosts go back to their previous version, batch_size at a time (the
  /// playbook run again with the old version). Kubernetes: `kubectl rollout undo`, a rolling
  /// update back to the old template with the same fenceposts, which deletes the new pods that
  /// never became available at once.
  void rollback(std::string_view reason, std::string_view who) override;
  /// Pauses the rollout (`kubectl rollout pause`, or stopping the playbook): hosts in flight end.
  void halt() override;
  /// Dispatches the strategy's timers; unlike the base class it also runs them after the rollout
  /// has an outcome, because a Kubernetes controller keeps reconciling past a missed deadline and
  /// during an undo.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  // Timer tags. Pod timers (min_ready) use the host index, which is below 2^32.
  static constexpr std::uint64_t kDeadlineTag = std::uint64_t{1} << 40;
  static constexpr std::uint64_t kBatchTag = std::uint64_t{1} << 41;

  void start() override;
  bool batch_mode() const { return params_.batch_size > 0; }
  void progress() { last_progress_ = world_.now(); }
  void on_deadline();

  // --- in-place batches ---
  void next_batch();
  void next_revert_batch();
  void batch_ended();
  void batch_host_updated(bool ok);

  // --- Kubernetes RollingUpdate ---
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
  void k8s_start();
  void k8s_host_updated(HostIndex host, bool ok);
  void k8s_rollback();
  void reconcile();
  void create_pods(int set, std::int64_t count);
  std::int64_t delete_pods(int set, std::int64_t count);
  void add_pod(int set, Pod state, HostIndex host);
  void unlist_pod(HostIndex host);
  void set_pod_state(HostIndex host, Pod state);
  void pod_available(HostIndex host);
  void check_k8s_complete();

  const spec::RollingParams& params_;
  const std::vector<HostIndex>& hosts_;  // the deployment's hosts, in order
  bool running_ = false;                 // the controller (or playbook) is acting
  bool rolling_back_ = false;
  engine::Time last_progress_;
  engine::TimerId deadline_timer_;

  // Batches: positions [0, next_) of hosts_ have been started; original_ holds their versions
  // from before, for a rollback.
  std::size_t next_ = 0;
  std::int64_t batch_number_ = 0;
  std::int64_t batch_in_flight_ = 0;
  std::int64_t batch_started_ = 0;
  std::int64_t batch_failed_ = 0;
  std::int64_t revert_failed_ = 0;
  bool revert_batch_ = false;  // the batch in flight puts old versions back
  std::size_t revert_next_ = 0;
  std::size_t revert_end_ = 0;
  std::vector<VersionIndex> original_;
  engine::TimerId batch_timer_;

  // Kubernetes: sets_[0] is the old template (the hosts the deployment found), sets_[1] the
  // target. The controller scales new_set_ up and the other down; an undo swaps them.
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
