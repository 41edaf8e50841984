#include "model/remediation.hpp"

#include <algorithm>

namespace deploysim::model {

Remediation::Remediation(const spec::Scenario& scenario, engine::Kernel& kernel, Fleet& fleet,
                         std::uint64_t seed)
    : scenario_(scenario),
      kernel_(kernel),
      fleet_(fleet),
      repair_family_(engine::stream_key(seed, "remediation/host")) {
  for (const auto& params : scenario.remediation_teams) {
    Team team;
    team.params = &params;
    team.level_of_group.assign(fleet.groups().size(),
                               static_cast<std::uint32_t>(params.order.size()));
    for (std::size_t level = 0; level < params.order.size(); ++level) {
      if (const auto g = fleet.find_group(params.order[level])) {
        team.level_of_group[*g] = static_cast<std::uint32_t>(level);
      }
    }
    team.queues.resize(params.order.size() + 1);
    team.heads.assign(params.order.size() + 1, 0);
    team.progress.team = params.name;
    team.progress.technicians = params.technicians;
    teams_.push_back(std::move(team));
  }
  for (const auto& behaviour : scenario.behaviours) {
    int team = -1;
    for (std::size_t t = 0; t < scenario.remediation_teams.size(); ++t) {
      if (scenario.remediation_teams[t].name == behaviour.remediation_team) {
        team = static_cast<int>(t);
      }
    }
    team_of_behaviour_.push_back(team);
  }
}

void Remediation::host_crashed(HostIndex host) {
  const BehaviourIndex b = fleet_.behaviour_of(host);
  const spec::Behaviour& behaviour = fleet_.behaviours()[b];
  if (behaviour.kind != spec::Behaviour::Kind::crash_on_start) return;  // e.g. misconfigured
  switch (behaviour.recovery) {
    case spec::CrashRecovery::rollback:
      return;
    case spec::CrashRecovery::restart: {
      const auto start = scenario_.services[fleet_.service_of(host)].host_start;
      kernel_.wake_after(behaviour.restart_after + start, *this, tag_of(Wake::restart, 0, host));
      return;
    }
    case spec::CrashRecovery::manual:
      fleet_.set_needs_repair(host, true);
      if (team_of_behaviour_[b] >= 0)
        enqueue(static_cast<std::uint32_t>(team_of_behaviour_[b]), host);
      return;
  }
}

void Remediation::enqueue(std::uint32_t t, HostIndex host) {
  Team& team = teams_[t];
  team.queues[team.level_of_group[fleet_.group_of(host)]].push_back(host);
  ++team.progress.waiting;
  if (!team.progress.first_crash) {
    // The first host mobilises the team; technicians then arrive over the ramp-up.
    team.progress.first_crash = kernel_.now();
    kernel_.wake_after(team.params->start_after, *this, tag_of(Wake::join, t, 0));
    return;
  }
  dispatch(t);
}

void Remediation::join(std::uint32_t t) {
  Team& team = teams_[t];
  const std::int64_t total = team.params->technicians;
  // Without a ramp-up everyone arrives at once; with one, technician i arrives at i/N of it, each
  // arrival scheduling the next, so that only one arrival is pending at a time.
  const std::int64_t arriving = team.params->ramp_up.ms() == 0 ? total : 1;
  team.joined += arriving;
  team.idle += arriving;
  if (team.joined < total) {
    const auto next_at =
        *team.progress.first_crash + team.params->start_after +
        engine::Duration::milliseconds(team.params->ramp_up.ms() * team.joined / total);
    kernel_.wake_at(std::max(next_at, kernel_.now()), *this, tag_of(Wake::join, t, 0));
  }
  dispatch(t);
}

std::optional<HostIndex> Remediation::next_host(Team& team) {
  for (std::size_t level = 0; level < team.queues.size(); ++level) {
    auto& queue = team.queues[level];
    while (team.heads[level] < queue.size()) {
      const HostIndex host = queue[team.heads[level]++];
      --team.progress.waiting;
      // A host terminated (scaled away) or otherwise back since it was queued needs nobody.
      if (fleet_.needs_repair(host) && fleet_.health_of(host) == Health::crashed) return host;
    }
  }
  return std::nullopt;
}

void Remediation::dispatch(std::uint32_t t) {
  Team& team = teams_[t];
  while (team.idle > 0) {
    const auto host = next_host(team);
    if (!host) return;
    --team.idle;
    ++team.progress.in_repair;
    // One stream per host: how long a host takes does not depend on which were repaired first.
    engine::RandomStream draws(engine::member_stream_key(repair_family_, *host));
    const auto duration =
        std::max(team.params->per_host.sample_duration(draws), engine::Duration::milliseconds(1));
    kernel_.wake_after(duration, *this, tag_of(Wake::repaired, t, *host));
  }
}

void Remediation::finish_repair(std::uint32_t t, HostIndex host) {
  Team& team = teams_[t];
  --team.progress.in_repair;
  ++team.progress.repaired;
  ++team.idle;
  team.progress.last_repair = kernel_.now();
  fleet_.set_needs_repair(host, false);
  // The technician puts back the code the host ran before the change that crashed it.
  const auto crashes = [&] {
    return fleet_.behaviours()[fleet_.behaviour_of(host)].kind ==
           spec::Behaviour::Kind::crash_on_start;
  };
  if (crashes()) fleet_.set_version(host, fleet_.previous_version_of(host));
  if (crashes()) {
    host_crashed(host);  // still crashing (the flag that crashed it is on): back in the queue
  } else {
    fleet_.set_health(host, Health::healthy);
  }
  dispatch(t);
}

void Remediation::on_wake(engine::Kernel& /*kernel*/, std::uint64_t tag) {
  const auto wake = static_cast<Wake>(tag >> 62);
  const auto team = static_cast<std::uint32_t>((tag >> 32) & 0x3fff'ffffU);
  const auto host = static_cast<HostIndex>(tag & 0xffff'ffffU);
  switch (wake) {
    case Wake::restart:
      if (fleet_.health_of(host) == Health::crashed && !fleet_.needs_repair(host)) {
        fleet_.set_health(host, Health::healthy);
      }
      return;
    case Wake::join:
      join(team);
      return;
    case Wake::repaired:
      finish_repair(team, host);
      return;
  }
}

std::vector<RemediationProgress> Remediation::progress() const {
  std::vector<RemediationProgress> result;
  for (const auto& team : teams_) result.push_back(team.progress);
  return result;
}

std::int64_t Remediation::repaired() const {
  std::int64_t total = 0;
  for (const auto& team : teams_) total += team.progress.repaired;
  return total;
}

std::int64_t Remediation::awaiting() const {
  std::int64_t total = 0;
  for (const auto& team : teams_) total += team.progress.waiting + team.progress.in_repair;
  return total;
}

}  // namespace deploysim::model
