#include "strategy/ring.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace deploysim::strategy {

namespace {

std::string later_rings_text(std::size_t later) {
  return later == 0 ? std::string("it was the last ring")
                    : std::to_string(later) + " later ring(s) not started";
}

// How many of `total` hosts the rings up to a percentage ring hold: ceil(percent × total / 100),
// so that a small ring of a small fleet still gets a host (1% of 50 = 1). The relative slack
// keeps a product that lands a rounding error above a whole number (0.1 × 1000) on that number.
std::size_t cumulative_count(double percent, std::size_t total) {
  const double exact = percent * static_cast<double>(total) / 100.0;
  const double count = std::ceil(exact - 1e-9 * std::max(1.0, exact));
  if (count <= 0.0) return 0;
  return std::min(total, static_cast<std::size_t>(count));
}

std::string hosts_text(std::int64_t n) {
  return std::to_string(n) + (n == 1 ? " host" : " hosts");
}

}  // namespace

RingPlan plan_rings(const model::World& world, const spec::RingParams& params) {
  const auto& fleet = world.fleet();
  const auto& deployment_hosts = world.deployment_hosts();
  // One byte per host of the fleet: whether a ring may still take it.
  enum : std::uint8_t { outside, waiting, taken };
  std::vector<std::uint8_t> state(fleet.size(), outside);
  for (HostIndex h : deployment_hosts) state[h] = waiting;

  RingPlan plan;
  plan.hosts.reserve(deployment_hosts.size());
  plan.ends.reserve(params.rings.size());
  // Deployment hosts before `cursor` are all taken, so percentage rings together walk the
  // deployment once.
  std::size_t cursor = 0;
  for (const auto& ring : params.rings) {
    if (!ring.groups.empty()) {
      for (const auto& name : ring.groups) {
        const auto group = fleet.find_group(name);
        if (!group) continue;
        for (HostIndex h : fleet.groups()[*group].hosts) {
          if (state[h] != waiting) continue;
          state[h] = taken;
          plan.hosts.push_back(h);
        }
      }
    } else {
      const std::size_t wanted = cumulative_count(ring.percent, deployment_hosts.size());
      while (plan.hosts.size() < wanted && cursor < deployment_hosts.size()) {
        const HostIndex h = deployment_hosts[cursor++];
        if (state[h] != waiting) continue;
        state[h] = taken;
        plan.hosts.push_back(h);
      }
    }
    plan.ends.push_back(plan.hosts.size());
  }
  return plan;
}

RingStrategy::RingStrategy(model::World& world, const spec::Deployment& deployment,
                           const spec::RingParams& params)
    : Strategy(world, deployment), params_(params), plan_(plan_rings(world, params)) {}

void RingStrategy::start() {
  start_ring(0);
}

void RingStrategy::start_ring(std::size_t ring) {
  const auto& rings = params_.rings;
  for (; ring < rings.size() && plan_.size(ring) == 0; ++ring) {
    ring_note("ring_skipped", ring, rings[ring].name + " (no hosts left for it)");
  }
  if (ring >= rings.size()) {
    const auto left = static_cast<std::int64_t>(world_.deployment_hosts().size()) -
                      static_cast<std::int64_t>(plan_.hosts.size());
    finish(DeployOutcome::completed,
           left > 0 ? hosts_text(left) + " in no ring, left as they were" : std::string());
    return;
  }
  ring_ = ring;
  next_ = plan_.begin(ring);
  done_ = 0;
  baking_ = false;
  const std::int64_t size = plan_.size(ring);
  ring_note("ring_started", ring, rings[ring].name + " (" + hosts_text(size) + ")");
  const std::int64_t first = params_.parallelism == 0 ? size : std::min(params_.parallelism, size);
  for (std::int64_t i = 0; i < first; ++i) updater_.update(plan_.hosts[next_++], target_);
}

void RingStrategy::host_updated(HostIndex host, bool ok) {
  // After a failure, hosts already in flight finish and nothing more starts. (A rollback or
  // halt cancels the updates in flight, so they do not report.)
  if (!active()) return;
  ++done_;
  if (!ok) {
    // Stop at once, not at the end of the ring: with limited parallelism this keeps the blast
    // radius to the hosts already in flight.
    const auto later = params_.rings.size() - ring_ - 1;
    finish(DeployOutcome::failed, "host " + world_.fleet().host_name(host) +
                                      " failed to update in ring " + params_.rings[ring_].name +
                                      "; " + later_rings_text(later));
    return;
  }
  if (next_ < plan_.ends[ring_]) {
    updater_.update(plan_.hosts[next_++], target_);
    return;
  }
  if (done_ == plan_.size(ring_)) ring_updated();
}

void RingStrategy::ring_updated() {
  const auto& ring = params_.rings[ring_];
  const std::string hosts = hosts_text(plan_.size(ring_));
  if (ring.bake <= engine::Duration{}) {
    ring_note("ring_updated", ring_, ring.name + " (" + hosts + ")");
    start_ring(ring_ + 1);
    return;
  }
  baking_ = true;
  ring_note("ring_baking", ring_,
            ring.name + " for " + engine::format_duration(ring.bake) + " (" + hosts + " updated)");
  world_.kernel().wake_after(ring.bake, *this, ring_);
}

void RingStrategy::on_timer(std::uint64_t tag) {
  // Only reached while the rollout is active: a rollback or halt during the bake ends it.
  baking_ = false;
  start_ring(static_cast<std::size_t>(tag) + 1);
}

void RingStrategy::rollback(std::string_view reason, std::string_view who) {
  const bool was_active = active();
  Strategy::rollback(reason, who);
  if (!was_active) return;
  const auto later = params_.rings.size() - ring_ - 1;
  const auto& name = params_.rings[ring_].name;
  ring_note("rings_stopped", ring_,
            "rolled back " +
                (baking_ ? "while ring " + name + " was baking" : "during ring " + name) + "; " +
                later_rings_text(later));
}

void RingStrategy::ring_note(std::string_view event, std::size_t ring, std::string detail) {
  // The story's line is the detail; the ring and its size are there for programs.
  world_.record({world_.now(),
                 std::string(event),
                 deployment_.service,
                 {{"detail", std::move(detail)},
                  {"ring", params_.rings[ring].name},
                  {"hosts", plan_.size(ring)}}},
                true);
}

}  // namespace deploysim::strategy
