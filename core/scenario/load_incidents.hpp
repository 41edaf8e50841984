#pragma once
// Reading the parts of a scenario about incidents and repair: a service's objectives (/services/
// NAME/slo) and host start time, how a crash recovers (/behaviours/NAME/recovery) and the
// remediation teams that repair crashed hosts by hand (/remediation_teams). Kept apart from
// load.cpp so that the rollout format's reader stays as it is.

#include "input/json_reader.hpp"
#include "spec/scenario.hpp"

namespace deploysim::scenario {

/// Reads "slo" and "host_start" of the service object `object` into `service`.
void parse_service_level(input::ObjectReader& object, spec::Service& service);

/// Reads "recovery", "restart_after" and "team" of a crash_on_start behaviour. A manual recovery
/// must name a team; that the team exists is checked by parse_remediation_teams.
void parse_crash_recovery(input::ObjectReader& object, spec::Behaviour& behaviour);

/// Reads /remediation_teams into `scenario`, whose behaviours and fleet are already read, and
/// checks that every manual recovery names one of them.
void parse_remediation_teams(input::ObjectReader& root, spec::Scenario& scenario);

}  // namespace deploysim::scenario
