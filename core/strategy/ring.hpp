#pragma once
// Rings: Facebook-style phased rollout (employees, then 2% of production, then 100%), or Google
// Rapid's "start in one cluster and expand". Rings go in order; each ring's hosts are updated
// with at most `parallelism` in flight, then the ring bakes (the release is watched) before the
// next ring starts. A rollback or halt during a bake stops the rings after it; a host that fails
// to update ends the rollout, so the blast radius of a bad release is the ring it reached.
// docs/strategies/ring.md maps the keys to the real systems.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

/// Which hosts each ring updates, in update order.
struct RingPlan {
  /// Every ring's hosts, ring after ring; each deployment host appears at most once.
  std::vector<HostIndex> hosts;
  /// Ring r is hosts[begin(r), ends[r]).
  std::vector<std::size_t> ends;

  std::size_t begin(std::size_t ring) const { return ring == 0 ? 0 : ends[ring - 1]; }
  std::int64_t size(std::size_t ring) const {
    return static_cast<std::int64_t>(ends[ring] - begin(ring));
  }
};

/// Splits the deployment's hosts into rings. A ring of groups takes the deployment hosts of those
/// groups not already in an earlier ring. A ring of a percentage p takes, in deployment order,
/// hosts not yet in a ring until the rings so far hold ceil(p × N / 100) of the N deployment
/// hosts (2% of 1,000 = 20; 2% of 1,010 = 21; 1% of 50 = 1); a ring whose percentage is already
/// covered is empty. Deployment hosts that no ring takes are not updated.
RingPlan plan_rings(const model::World& world, const spec::RingParams& params);

class RingStrategy : public Strategy {
 public:
  RingStrategy(model::World& world, const spec::Deployment& deployment,
               const spec::RingParams& params);
  void host_updated(HostIndex host, bool ok) override;
  /// The base rollback, and a note in the story of the ring the rollout stopped at.
  void rollback(std::string_view reason, std::string_view who) override;

  const RingPlan& plan() const { return plan_; }

 private:
  void start() override;
  /// The bake of ring `tag` is over.
  void on_timer(std::uint64_t tag) override;
  /// Starts ring `ring`, skipping empty ones; finishes after the last.
  void start_ring(std::size_t ring);
  void ring_updated();
  /// A notable record about ring `ring`, for the story: one or two per ring, never per host.
  void ring_note(std::string_view event, std::size_t ring, std::string detail);

  const spec::RingParams& params_;
  RingPlan plan_;
  std::size_t ring_ = 0;   // the ring being updated or baked
  std::size_t next_ = 0;   // next host to start, an index into plan_.hosts
  std::int64_t done_ = 0;  // hosts of the current ring whose update ended
  bool baking_ = false;
};

}  // namespace deploysim::strategy
