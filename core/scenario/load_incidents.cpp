#include "scenario/load_incidents.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "scenario/defined_name.hpp"

namespace deploysim::scenario {

namespace {

const std::vector<std::string> kRecoveries = {"rollback", "restart", "manual"};

}  // namespace

void parse_service_level(input::ObjectReader& object, spec::Service& service) {
  service.host_start = object.duration("host_start", service.host_start);
  auto slo = object.optional_child("slo");
  if (!slo) return;
  if (auto availability = slo->optional("availability")) {
    const std::string expected = "a percentage of successful requests above 0 and at most 100";
    if (!availability->json().is_number()) availability->fail(expected);
    const double percent = availability->as_number();
    if (!(percent > 0.0 && percent <= 100.0)) availability->fail(expected);
    service.slo.availability_percent = percent;
  }
  if (auto latency = slo->optional("latency_ms")) {
    const std::string expected = "a mean latency in milliseconds above 0";
    if (!latency->json().is_number() || !(latency->as_number() > 0.0)) latency->fail(expected);
    service.slo.latency_ms = latency->as_number();
  }
  slo->string("note", "");
  slo->finish();
}

void parse_crash_recovery(input::ObjectReader& object, spec::Behaviour& behaviour) {
  const auto recovery = object.string_enum("recovery", kRecoveries, "rollback");
  behaviour.recovery = static_cast<spec::CrashRecovery>(
      std::find(kRecoveries.begin(), kRecoveries.end(), recovery) - kRecoveries.begin());
  if (behaviour.recovery == spec::CrashRecovery::restart) {
    behaviour.restart_after = object.duration("restart_after", behaviour.restart_after);
  }
  if (behaviour.recovery == spec::CrashRecovery::manual) {
    const auto team = object.required(
        "team", "the remediation team that repairs these hosts, defined in /remediation_teams");
    if (!team.json().is_string()) team.fail("the name of a team defined in /remediation_teams");
    behaviour.remediation_team = team.as_string();
  }
}

void parse_remediation_teams(input::ObjectReader& root, spec::Scenario& scenario) {
  if (auto teams = root.optional_child("remediation_teams")) {
    const auto groups = spec::names_of(scenario.groups);
    for (auto& [name, value] : teams->members()) {
      auto object = value.as_object();
      spec::RemediationTeam team;
      team.name = name;
      team.technicians = object.integer("technicians", 1, 10'000'000);
      team.per_host =
          object.distribution("per_host", engine::Distribution::Unit::duration, team.per_host);
      team.start_after = object.duration("start_after", team.start_after);
      team.ramp_up = object.duration("ramp_up", team.ramp_up);
      for (const auto& group : object.optional_array("order")) {
        team.order.push_back(defined_name(group, groups, "a group defined in /fleet"));
      }
      object.string("note", "");
      object.boolean("calibrated", false);
      object.finish();
      scenario.remediation_teams.push_back(std::move(team));
    }
  }
  // Every manual recovery needs a team that exists.
  const auto team_names = spec::names_of(scenario.remediation_teams);
  for (const auto& behaviour : scenario.behaviours) {
    if (behaviour.recovery != spec::CrashRecovery::manual) continue;
    const auto& behaviours = scenario.source.at("behaviours");
    const std::string pointer =
        input::child_pointer(input::child_pointer("/behaviours", behaviour.name), "team");
    const input::ValueReader team(behaviours.at(behaviour.name).at("team"), scenario.file, pointer);
    defined_name(team, team_names, "a remediation team defined in /remediation_teams");
  }
}

}  // namespace deploysim::scenario
