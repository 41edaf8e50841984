#include "strategy/manual.hpp"

#include <algorithm>
#include <string>

namespace deploysim::strategy {

namespace {
spec::HostUpdate with_install_time(spec::HostUpdate timing, const engine::Distribution& per_host) {
  timing.install = per_host;
  return timing;
}
}  // namespace

ManualStrategy::ManualStrategy(model::World& world, const spec::Deployment& deployment,
                               const spec::ManualParams& params)
    : Strategy(world, deployment),
      params_(params),
      timing_(with_install_time(deployment.host_update, params.per_host)),
      operator_updater_(world, timing_, *this, "operator/install"),
      mistakes_(world.stream("operator/mistakes")),
      hosts_(world.deployment_hosts()) {}

bool ManualStrategy::scripted(spec::ScriptedFault::Kind kind, HostIndex host) const {
  const std::string name = world_.fleet().host_name(host);
  return std::any_of(params_.faults.begin(), params_.faults.end(),
                     [&](const auto& fault) { return fault.kind == kind && fault.host == name; });
}

void ManualStrategy::start() {
  day_started_ = world_.now();
  work_on_next_host();
}

void ManualStrategy::work_on_next_host() {
  if (!active()) return;
  if (next_ >= hosts_.size()) {
    // The operator believes the work is done, whatever was skipped.
    std::string detail;
    if (skipped_ > 0) detail = std::to_string(skipped_) + " host(s) skipped without notice";
    if (failed_ > 0) {
      finish(DeployOutcome::failed, std::to_string(failed_) + " host(s) failed to start");
    } else {
      finish(DeployOutcome::completed, detail);
    }
    return;
  }
  if (params_.hosts_per_day > 0 && done_today_ >= params_.hosts_per_day) {
    // Same hour the next day: days are counted from the deployment's start.
    done_today_ = 0;
    const auto elapsed_days = (world_.now() - day_started_).ms() / engine::Duration::days(1).ms();
    day_started_ = day_started_ + engine::Duration::days(elapsed_days + 1);
    world_.kernel().wake_at(day_started_, *this, next_day_timer);
    return;
  }
  const HostIndex host = hosts_[next_++];
  ++done_today_;
  // Both kinds of mistake draw for every host, so scripting one fault keeps the other draws.
  const bool skip_by_chance = mistakes_.bernoulli(params_.skip_probability);
  const bool misconfigure_by_chance = mistakes_.bernoulli(params_.misconfigure_probability);
  const bool skip_by_fault =
      world_.faults() != nullptr &&
      world_.fault_at(model::FaultKind::skip_host, world_.fleet().host_name(host)) != nullptr;
  if (skip_by_chance || skip_by_fault || scripted(spec::ScriptedFault::Kind::skip, host)) {
    ++skipped_;
    world_.record({world_.now(),
                   "host_skipped",
                   world_.fleet().host_name(host),
                   {{"by", std::string("operator")},
                    {"version", world_.fleet().versions()[world_.fleet().version_of(host)].name}}},
                  true);
    // The time is spent all the same: the operator thinks the copy was made.
    world_.kernel().wake_after(timing_.install.sample_duration(mistakes_), *this, next_host_timer);
    return;
  }
  if (misconfigure_by_chance || scripted(spec::ScriptedFault::Kind::misconfigure, host)) {
    world_.fleet().set_version(host, target_);
    world_.fleet().set_health(host, model::Health::crashed);
    world_.record({world_.now(),
                   "host_misconfigured",
                   world_.fleet().host_name(host),
                   {{"by", std::string("operator")}}},
                  true);
    ++failed_;
    world_.kernel().wake_after(timing_.install.sample_duration(mistakes_), *this, next_host_timer);
    return;
  }
  operator_updater_.update(host, target_);
}

void ManualStrategy::host_updated(HostIndex host, bool ok) {
  if (!ok) ++failed_;
  // A person's deploy is a handful of hosts: each one is part of the story.
  if (ok) {
    world_.record({world_.now(),
                   "host_updated",
                   world_.fleet().host_name(host),
                   {{"version", deployment_.to}, {"by", std::string("operator")}}},
                  true);
  }
  work_on_next_host();
}

void ManualStrategy::on_timer(std::uint64_t /*tag*/) {
  work_on_next_host();
}

}  // namespace deploysim::strategy
