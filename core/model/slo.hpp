#pragma once
// Service levels and the user's view of an incident (docs/incidents.md). Each service has
// objectives (availability, optionally mean latency); the tracker re-reads every service's level
// through model/measure.hpp after each change of the fleet, and keeps, per service and overall:
// when the incident began (an objective breached or a host misbehaving, whichever came first),
// when the harm stopped, when users were back within every objective, and the exact integrals
// of requests, failed requests and host-minutes unavailable.
//
// Rates are constant between two changes of the fleet, so each change first adds the time since
// the previous one at the old rates, as the fleet does for loss (model/fleet.hpp). Only the state
// at the end of an instant matters (a host updated passes through three states at once), so the
// levels are re-read once per instant with a change, when the next change or a reader comes:
// a million-host rollout pays for one reading per event, not one per host state.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.hpp"
#include "model/fleet.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

/// One service's incident record (or the whole fleet's), as of a time.
struct IncidentRecord {
  /// The first moment users saw a breach or a host misbehaved; nullopt: no incident.
  std::optional<engine::Time> start;
  /// The last moment everything came back (no breach, no host misbehaving); nullopt while the
  /// incident goes on.
  std::optional<engine::Time> end;
  /// The last moment no host misbehaved any more (the cause stopped); nullopt while some does,
  /// or when none ever did.
  std::optional<engine::Time> harm_end;
  bool harmed = false;  ///< some host misbehaved during the incident
  double requests = 0.0;
  double failed_requests = 0.0;
  /// Requests that failed on a service with no host serving, which the fleet's own impact
  /// (counting served requests only, without a load model) leaves out.
  double outage_requests = 0.0;
  double unavailable_host_ms = 0.0;
};

/// A service's level right now.
struct ServiceLevel {
  double error_rate = 0.0;  ///< as users see it (user_error_rate_of)
  double latency_ms = 0.0;
  bool breached = false;
  std::int64_t unavailable_hosts = 0;  ///< is_unavailable_health, plus overloaded hosts
};

class IncidentTracker {
 public:
  IncidentTracker(const spec::Scenario& scenario, const Fleet& fleet, const engine::Kernel& kernel);

  /// With a load model: the request rate arriving at a group's service. Hosts failing more than
  /// half their requests for lack of capacity then count as unavailable (overloaded).
  using GroupRate = std::function<double(std::uint32_t group)>;
  void set_load(GroupRate arrivals) { arrivals_ = std::move(arrivals); }

  /// The fleet changed: the levels are to be re-read.
  void changed();
  /// The fleet is about to change: an instant before this one ended with the state it has now.
  void before_change() {
    if (dirty_ && kernel_.now() > dirty_at_) update();
  }
  /// Re-reads the levels now if the fleet changed since they were read.
  void flush() {
    if (dirty_) update();
  }

  /// The availability objective of `service`, percent.
  double availability_target(std::uint32_t service) const { return targets_[service]; }
  std::optional<double> latency_target(std::uint32_t service) const;
  const ServiceLevel& level(std::uint32_t service) const { return levels_[service]; }
  /// Records with their integrals carried to `now` (no state is changed).
  IncidentRecord service_at(std::uint32_t service, engine::Time now) const;
  IncidentRecord overall_at(engine::Time now) const;
  /// Whether an incident has begun (detection counts only from then).
  bool started() const { return overall_.start.has_value(); }
  /// Re-reads every service, as of the last change of the fleet.
  void update();

 private:
  struct Rates {
    double requests_per_s = 0.0;
    double failed_per_s = 0.0;
    double outage_per_s = 0.0;
    double unavailable_hosts = 0.0;
  };
  static void carry(IncidentRecord& record, const Rates& rates, double ms);
  static void transition(IncidentRecord& record, bool active, bool harm, engine::Time now);
  // What the load model gave a service at its last tick.
  struct ServiceLoad {
    double arriving = 0.0;
    double routed = 0.0;
    double failed = 0.0;
    double response_weighted = 0.0;
    std::int64_t overloaded = 0;
  };
  // Reads the load model's new tick, at the tick (its arrival rates are those of now).
  void refresh_load();
  void measure(std::uint32_t service);

  const spec::Scenario& scenario_;
  const Fleet& fleet_;
  const engine::Kernel& kernel_;
  std::vector<double> targets_;  // availability, percent, by service
  std::vector<std::vector<std::uint32_t>> groups_of_service_;
  GroupRate arrivals_;
  std::vector<ServiceLoad> loads_;
  std::uint64_t load_tick_ = 0;
  std::vector<ServiceLevel> levels_;
  std::vector<Rates> rates_;
  std::vector<IncidentRecord> records_;
  IncidentRecord overall_;
  Rates overall_rates_;
  engine::Time settled_at_;
  bool dirty_ = false;
  engine::Time dirty_at_;
};

}  // namespace deploysim::model
