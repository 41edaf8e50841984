#include "model/host_updater.hpp"

namespace deploysim::model {

HostUpdater::HostUpdater(World& world, const spec::HostUpdate& timing, HostUpdateListener& listener,
                         std::string_view stream_name)
    : world_(world),
      timing_(timing),
      listener_(listener),
      stream_family_(engine::stream_key(world.seed(), stream_name)) {}

engine::RandomStream HostUpdater::draws(HostIndex host, Draw draw) const {
  // One stream per (host, attempt, draw): a host's install does not depend on which hosts were
  // updated before it, so two strategies on one seed see the same slow and failing installs.
  const auto host_key = engine::member_stream_key(stream_family_, host);
  const auto attempt_key = engine::member_stream_key(host_key, attempts_[host]);
  return engine::RandomStream(engine::member_stream_key(attempt_key, static_cast<unsigned>(draw)));
}

void HostUpdater::update(HostIndex host, VersionIndex version, bool into_rotation) {
  if (host >= stage_.size()) {
    const auto size = world_.fleet().size();
    stage_.resize(size, Stage::idle);
    attempts_.resize(size, 0);
    target_.resize(size, 0);
    timer_.resize(size);
    into_rotation_.resize(size, true);
  }
  if (stage_[host] != Stage::idle) return;
  ++in_flight_;
  target_[host] = version;
  attempts_[host] = 0;
  into_rotation_[host] = into_rotation;
  if (timing_.drain > engine::Duration{} && world_.fleet().is_serving(host)) {
    stage_[host] = Stage::draining;
    world_.fleet().set_health(host, Health::draining);
    timer_[host] = world_.kernel().wake_after(timing_.drain, *this, host);
  } else {
    begin_install(host);
  }
}

void HostUpdater::begin_install(HostIndex host) {
  stage_[host] = Stage::installing;
  world_.fleet().set_mid_install(host, true);
  // A host that needs hands-on repair does not boot far enough to take new code: it stays
  // crashed, and the install fails when it would have ended.
  if (!world_.fleet().needs_repair(host)) world_.fleet().set_health(host, Health::out_of_rotation);
  auto stream = draws(host, Draw::duration);
  timer_[host] = world_.kernel().wake_after(timing_.install.sample_duration(stream), *this, host);
}

void HostUpdater::on_wake(engine::Kernel& kernel, std::uint64_t tag) {
  const auto host = static_cast<HostIndex>(tag);
  Fleet& fleet = world_.fleet();
  switch (stage_[host]) {
    case Stage::draining:
      begin_install(host);
      return;
    case Stage::installing: {
      if (fleet.needs_repair(host)) {
        end(host, false);
        return;
      }
      if (const Fault* crash = fault(FaultKind::host_crash_mid_update, host)) {
        world_.note_fault(*crash, fleet.host_name(host) + " crashes during its install");
        fleet.set_health(host, Health::crashed);
        end(host, false);
        return;
      }
      auto stream = draws(host, Draw::failure);
      if (install_fails(host, stream)) {
        if (attempts_[host] >= timing_.max_retries) {
          end(host, false);
          return;
        }
        ++attempts_[host];
        if (world_.tracing()) {
          world_.record({kernel.now(),
                         "install_failed",
                         fleet.host_name(host),
                         {{"attempt", std::int64_t{attempts_[host]}}}},
                        false);
        }
        stage_[host] = Stage::draining;  // waits out the retry delay, then installs again
        timer_[host] = kernel.wake_after(timing_.retry_delay, *this, host);
        return;
      }
      fleet.set_version(host, target_[host]);
      if (fleet.behaviours()[fleet.behaviour_of(host)].kind ==
          spec::Behaviour::Kind::crash_on_start) {
        fleet.set_health(host, Health::crashed);
        // A check that passes a bad version tells the strategy all is well.
        const Fault* passes = fault(FaultKind::health_check_passes_bad, host);
        if (passes != nullptr) {
          world_.note_fault(*passes, "the health check passes " + fleet.host_name(host) +
                                         ", which crashed on its new version");
        }
        end(host, passes != nullptr);
        return;
      }
      if (const Fault* fails = fault(FaultKind::health_check_fails_good, host)) {
        // The host is fine but the check says otherwise: it stays out of rotation.
        world_.note_fault(
            *fails, "the health check fails " + fleet.host_name(host) + ", which started well");
        end(host, false);
        return;
      }
      if (timing_.health_check > engine::Duration{}) {
        stage_[host] = Stage::checking;
        timer_[host] = kernel.wake_after(timing_.health_check, *this, host);
        return;
      }
      fleet.set_mid_install(host, false);
      fleet.set_health(host, ready_health(host));
      end(host, true);
      return;
    }
    case Stage::checking:
      fleet.set_mid_install(host, false);
      fleet.set_health(host, ready_health(host));
      end(host, true);
      return;
    case Stage::idle:
      return;
  }
}

bool HostUpdater::install_fails(HostIndex host, engine::RandomStream& stream) const {
  // The draw is made whatever the plan, so a fault does not shift later draws.
  const bool by_chance = stream.bernoulli(timing_.install_failure_probability);
  if (world_.faults() == nullptr) return by_chance;
  const Fault* fails = fault(FaultKind::install_fails, host);
  if (fails == nullptr && attempts_[host] == 0) fails = fault(FaultKind::install_fails_once, host);
  if (fails == nullptr) return by_chance;
  world_.note_fault(*fails,
                    "the install on " + world_.fleet().host_name(host) + " fails" +
                        (fails->kind == FaultKind::install_fails ? " every time" : " once"));
  return true;
}

void HostUpdater::cancel_all() {
  if (in_flight_ == 0) return;
  for (HostIndex host = 0; host < stage_.size(); ++host) {
    if (stage_[host] == Stage::idle) continue;
    world_.kernel().cancel(timer_[host]);
    stage_[host] = Stage::idle;
    --in_flight_;
    world_.fleet().set_mid_install(host, false);
    if (world_.fleet().health_of(host) != Health::crashed) {
      world_.fleet().set_health(host, ready_health(host));
    }
  }
}

void HostUpdater::end(HostIndex host, bool ok) {
  world_.fleet().set_mid_install(host, false);
  stage_[host] = Stage::idle;
  --in_flight_;
  if (world_.tracing()) {
    world_.record({world_.now(),
                   ok ? "host_updated" : "host_update_failed",
                   world_.fleet().host_name(host),
                   {{"version", world_.fleet().versions()[world_.fleet().version_of(host)].name},
                    {"health", std::string(health_name(world_.fleet().health_of(host)))}}},
                  false);
  }
  listener_.host_updated(host, ok);
}

}  // namespace deploysim::model
