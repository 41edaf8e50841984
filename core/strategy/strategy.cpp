#include "strategy/strategy.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "strategy/all_at_once.hpp"
#include "strategy/blue_green.hpp"
#include "strategy/canary.hpp"
#include "strategy/kubernetes.hpp"
#include "strategy/manual.hpp"
#include "strategy/ring.hpp"
#include "strategy/rolling.hpp"

namespace deploysim::strategy {

Strategy::Strategy(model::World& world, const spec::Deployment& deployment)
    : world_(world),
      deployment_(deployment),
      target_(*world.target_version()),
      updater_(world, deployment.host_update, *this) {}

std::int64_t Strategy::live_deployment_hosts() const {
  const auto& hosts = world_.deployment_hosts();
  return std::count_if(hosts.begin(), hosts.end(), [&](HostIndex h) {
    return world_.fleet().health_of(h) != model::Health::terminated;
  });
}

void Strategy::begin() {
  outcome_ = DeployOutcome::in_progress;
  note("deploy_started", spec::strategy_name(deployment_.strategy) + " deploy of " +
                             deployment_.to + " to " + std::to_string(live_deployment_hosts()) +
                             " host(s)");
  start();
}

void Strategy::on_wake(engine::Kernel& /*kernel*/, std::uint64_t tag) {
  if (active()) on_timer(tag);
}

void Strategy::note(std::string_view event, std::string_view detail) {
  world_.record(
      {world_.now(), std::string(event), deployment_.service, {{"detail", std::string(detail)}}},
      true);
}

void Strategy::finish(DeployOutcome outcome, std::string_view detail) {
  if (!active()) return;
  outcome_ = outcome;
  world_.counters().deploy_finished_at = world_.now();
  const auto& fleet = world_.fleet();
  const auto on_target = fleet.hosts_on_version(target_);
  note("deploy_" + std::string(model::outcome_name(outcome)),
       std::to_string(on_target) + " of " + std::to_string(world_.deployment_live_hosts()) +
           " host(s) on " + deployment_.to + (detail.empty() ? "" : "; ") + std::string(detail));
  if (outcome != DeployOutcome::completed || !deployment_.post_deploy_verification) return;
  std::int64_t wrong = 0;
  for (HostIndex h : world_.deployment_hosts()) {
    if (fleet.health_of(h) != model::Health::terminated && fleet.version_of(h) != target_) ++wrong;
  }
  if (wrong == 0) return;
  outcome_ = DeployOutcome::failed;
  note("verification_failed",
       std::to_string(wrong) + " host(s) not on " + deployment_.to + " after the deploy");
  if (world_.scenario().automation.halt_on_inconsistency) {
    world_.halt("", "automation", "post-deploy verification failed");
  }
}

void Strategy::rollback(std::string_view /*reason*/, std::string_view /*who*/) {
  stop_updates();
  auto& fleet = world_.fleet();
  for (HostIndex h : world_.deployment_hosts()) {
    if (fleet.needs_repair(h)) continue;  // only hands reach it (model/remediation.hpp)
    if (fleet.version_of(h) == target_ && fleet.version_of(h) != fleet.previous_version_of(h)) {
      fleet.set_version(h, fleet.previous_version_of(h));
      // A host that crashed on the new version starts again on the old one, if that one starts.
      if (fleet.health_of(h) == model::Health::crashed &&
          fleet.behaviours()[fleet.behaviour_of(h)].kind != spec::Behaviour::Kind::crash_on_start) {
        fleet.set_health(h, model::Health::healthy);
      }
    }
  }
  mark_rolled_back();
}

void Strategy::mark_rolled_back() {
  if (outcome_ == DeployOutcome::in_progress || outcome_ == DeployOutcome::completed ||
      outcome_ == DeployOutcome::failed) {
    outcome_ = DeployOutcome::rolled_back;
  }
}

void Strategy::halt() {
  stop_updates();
  if (active()) finish(DeployOutcome::halted);
}

void Strategy::stop_updates() {
  updater_.cancel_all();
}

std::unique_ptr<Strategy> make_strategy(model::World& world, const spec::Deployment& deployment) {
  return std::visit(
      [&](const auto& params) -> std::unique_ptr<Strategy> {
        using T = std::decay_t<decltype(params)>;
        if constexpr (std::is_same_v<T, spec::ManualParams>) {
          return std::make_unique<ManualStrategy>(world, deployment, params);
        } else if constexpr (std::is_same_v<T, spec::AllAtOnceParams>) {
          return std::make_unique<AllAtOnceStrategy>(world, deployment);
        } else if constexpr (std::is_same_v<T, spec::RollingParams>) {
          // Two controllers behind one strategy type, as the docs map it: batches when a batch
          // size is given (Ansible serial), the Deployment controller otherwise.
          if (params.batch_size > 0) {
            return std::make_unique<RollingStrategy>(world, deployment, params);
          }
          return std::make_unique<KubernetesStrategy>(world, deployment, params);
        } else if constexpr (std::is_same_v<T, spec::BlueGreenParams>) {
          return std::make_unique<BlueGreenStrategy>(world, deployment, params);
        } else if constexpr (std::is_same_v<T, spec::CanaryParams>) {
          return std::make_unique<CanaryStrategy>(world, deployment, params);
        } else {
          static_assert(std::is_same_v<T, spec::RingParams>);
          return std::make_unique<RingStrategy>(world, deployment, params);
        }
      },
      deployment.strategy);
}

}  // namespace deploysim::strategy
