#pragma once
// What happens to a host after it crashes, by the recovery kind of the code that crashed it
// (spec::CrashRecovery): a supervisor restarts it; it waits for a rollback; or it waits for a
// person to repair it by hand. Repairs are people's work: each remediation team has technicians
// who join over a ramp-up and take crashed hosts one at a time, in the team's order.
//
// Scale: a host waiting in a queue costs one index in a vector and no event; only the hosts
// being repaired have a pending event, so a team works through millions of crashed hosts with
// at most `technicians` events pending (docs/scenario-format.md, "Remediation teams").

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "model/fleet.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

/// One team's progress, for the summary and the time series.
struct RemediationProgress {
  std::string team;
  std::int64_t technicians = 0;
  std::int64_t repaired = 0;  ///< repairs finished (a host repaired twice counts twice)
  std::int64_t waiting = 0;   ///< crashed hosts queued, nobody on them yet
  std::int64_t in_repair = 0;
  std::optional<engine::Time> first_crash;  ///< the first host handed to the team
  std::optional<engine::Time> last_repair;
};

class Remediation : public engine::Process {
 public:
  Remediation(const spec::Scenario& scenario, engine::Kernel& kernel, Fleet& fleet,
              std::uint64_t seed);

  /// A host crashed: restart it later, queue it for repair, or leave it for a rollback.
  void host_crashed(HostIndex host);

  bool has_teams() const { return !teams_.empty(); }
  std::vector<RemediationProgress> progress() const;
  /// Repairs finished, every team.
  std::int64_t repaired() const;
  /// Hosts waiting for or under repair, every team.
  std::int64_t awaiting() const;

  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  enum class Wake : std::uint64_t { restart = 0, join = 1, repaired = 2 };
  struct Team {
    const spec::RemediationTeam* params = nullptr;
    std::vector<std::uint32_t> level_of_group;   ///< priority level by group index
    std::vector<std::vector<HostIndex>> queues;  ///< by level: order's groups, then the rest
    std::vector<std::size_t> heads;
    std::int64_t idle = 0;    ///< technicians on site and free
    std::int64_t joined = 0;  ///< technicians on site
    RemediationProgress progress;
  };
  void enqueue(std::uint32_t team, HostIndex host);
  void join(std::uint32_t team);
  void dispatch(std::uint32_t team);
  void finish_repair(std::uint32_t team, HostIndex host);
  std::optional<HostIndex> next_host(Team& team);
  static std::uint64_t tag_of(Wake wake, std::uint32_t team, HostIndex host) {
    return static_cast<std::uint64_t>(wake) << 62 | static_cast<std::uint64_t>(team) << 32 | host;
  }

  const spec::Scenario& scenario_;
  engine::Kernel& kernel_;
  Fleet& fleet_;
  std::uint64_t repair_family_;
  std::vector<Team> teams_;
  std::vector<int> team_of_behaviour_;  ///< -1: no team
};

}  // namespace deploysim::model
