#include "verify/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "engine/time.hpp"
#include "experiment/statistics.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "spec/host_names.hpp"

namespace deploysim::verify {

using model::FaultKind;

nlohmann::ordered_json Schedule::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = kScheduleFormat;
  j["scenario"] = scenario;
  j["seed"] = seed;
  j["keep_scripted_faults"] = keep_scripted_faults;
  j["bounds"] = {{"slow_quantile", bounds.slow_quantile},
                 {"late_by", engine::format_duration(bounds.late_by)}};
  auto& list = j["faults"] = nlohmann::ordered_json::array();
  for (const auto& fault : faults) {
    nlohmann::ordered_json f{{"kind", model::fault_kind_name(fault.kind)},
                             {"target", fault.target}};
    if (fault.kind == FaultKind::alert_late && fault.delay.ms() > 0) {
      f["delay"] = engine::format_duration(fault.delay);
    }
    if (fault.kind == FaultKind::flag_wrong_percent) f["percent"] = fault.percent;
    list.push_back(std::move(f));
  }
  return j;
}

double distribution_quantile(const engine::Distribution& distribution, double p) {
  using Kind = engine::Distribution::Kind;
  const auto& a = distribution.parameters();
  switch (distribution.kind()) {
    case Kind::deterministic:
      return a[0];
    case Kind::uniform:
      return a[0] + p * (a[1] - a[0]);
    case Kind::exponential:
      return -a[0] * std::log1p(-p);
    case Kind::normal:
      return std::max(0.0, a[0] + a[1] * experiment::normal_quantile(p));
    case Kind::lognormal:
      return a[0] * std::exp(a[1] * experiment::normal_quantile(p));
    case Kind::weibull:
      return a[1] * std::pow(-std::log1p(-p), 1.0 / a[0]);
    case Kind::empirical: {
      // The empirical draw picks one of its values with equal chance: the p-quantile is the
      // value at that rank among them, sorted.
      std::vector<double> sorted = a;
      std::sort(sorted.begin(), sorted.end());
      const auto rank = static_cast<std::size_t>(std::ceil(p * double(sorted.size())));
      return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
    }
  }
  return distribution.mean();
}

spec::Scenario plan_scenario(const spec::Scenario& scenario, bool keep_scripted_faults) {
  spec::Scenario plan = scenario;
  if (keep_scripted_faults || !plan.deployment) return plan;
  if (auto* manual = std::get_if<spec::ManualParams>(&plan.deployment->strategy)) {
    manual->faults.clear();
    // The document says the same, so that the plan written out reads back as the plan.
    auto& source = plan.source;
    if (source.is_object() && source.contains("deployment") &&
        source["deployment"].contains("strategy") && source["deployment"]["strategy"].is_object()) {
      source["deployment"]["strategy"].erase("faults");
    }
  }
  return plan;
}

namespace {
std::vector<std::string> host_targets(const spec::Scenario& scenario) {
  std::vector<std::string> hosts;
  for (const auto& group : scenario.groups) {
    for (std::int64_t i = 1; i <= group.hosts; ++i) {
      hosts.push_back(spec::host_name(group.name_pattern, group.name, i));
    }
  }
  return hosts;
}

std::vector<std::string> flag_targets(const spec::Scenario& scenario) {
  std::vector<std::string> flags;
  for (const auto& entry : scenario.timeline) {
    if (entry.action == spec::ActionKind::set_flag && entry.value &&
        std::find(flags.begin(), flags.end(), entry.flag) == flags.end()) {
      flags.push_back(entry.flag);
    }
  }
  return flags;
}
}  // namespace

std::vector<std::string> fault_targets(const spec::Scenario& scenario, FaultKind kind) {
  switch (kind) {
    case FaultKind::skip_host:
    case FaultKind::install_fails_once:
    case FaultKind::install_fails:
    case FaultKind::health_check_passes_bad:
    case FaultKind::health_check_fails_good:
    case FaultKind::host_crash_mid_update:
      return host_targets(scenario);
    case FaultKind::alert_silent:
    case FaultKind::alert_late:
    case FaultKind::scrape_missed: {
      auto alerts = spec::names_of(scenario.monitoring.alerts);
      if (scenario.automation.kill_switch) alerts.push_back(scenario.automation.kill_switch->name);
      return alerts;
    }
    case FaultKind::person_unreachable:
    case FaultKind::person_slow:
      return spec::names_of(scenario.people);
    case FaultKind::flag_early:
    case FaultKind::flag_wrong_percent:
      return flag_targets(scenario);
    case FaultKind::group_unreachable:
      return spec::names_of(scenario.groups);
    case FaultKind::canary_misleading:
      if (scenario.deployment &&
          std::holds_alternative<spec::CanaryParams>(scenario.deployment->strategy)) {
        return {"analysis"};
      }
      return {};
  }
  return {};
}

namespace {
// The targets a fault of `kind` may name: the scenario's, and the hosts its run creates (canary
// pods, surge hosts), as the fault-free run reaches them.
std::vector<std::string> known_targets(const spec::Scenario& scenario, model::FaultKind kind,
                                       const std::vector<model::DecisionPoint>& reached) {
  auto targets = fault_targets(scenario, kind);
  for (const auto& point : reached) {
    if (point.kind == kind &&
        std::find(targets.begin(), targets.end(), point.target) == targets.end()) {
      targets.push_back(point.target);
    }
  }
  return targets;
}

model::Fault parse_fault(input::ObjectReader& reader, const spec::Scenario& scenario,
                         const std::vector<model::DecisionPoint>& reached) {
  std::vector<std::string> kinds;
  for (auto kind : model::all_fault_kinds()) kinds.emplace_back(model::fault_kind_name(kind));
  model::Fault fault;
  fault.kind = *model::find_fault_kind(reader.string_enum("kind", kinds));
  const auto targets = known_targets(scenario, fault.kind, reached);
  auto target = reader.required("target", "the name the fault applies to");
  fault.target = target.as_string();
  if (std::find(targets.begin(), targets.end(), fault.target) == targets.end()) {
    std::string list;
    for (std::size_t i = 0; i < targets.size() && i < 8; ++i) {
      list += (list.empty() ? "" : ", ") + targets[i];
    }
    if (targets.size() > 8) list += ", ...";
    const auto hint = input::did_you_mean(fault.target, targets);
    target.fail("a target of " + std::string(model::fault_kind_name(fault.kind)) +
                    " in this scenario (" + (list.empty() ? "none" : list) + ")",
                hint.empty() ? "" : "did you mean \"" + hint + "\"?");
  }
  if (fault.kind == FaultKind::alert_late) fault.delay = reader.duration("delay", {});
  if (fault.kind == FaultKind::flag_wrong_percent)
    fault.percent = reader.percent("percent", kWrongPercent);
  reader.finish();
  return fault;
}

model::FaultBounds parse_bounds(input::ObjectReader& reader) {
  model::FaultBounds bounds;
  if (auto q = reader.optional("slow_quantile")) {
    bounds.slow_quantile = q->as_number();
    if (!(bounds.slow_quantile > 0.0 && bounds.slow_quantile < 1.0)) {
      q->fail("a quantile strictly between 0 and 1");
    }
  }
  bounds.late_by = reader.positive_duration("late_by", bounds.late_by);
  reader.finish();
  return bounds;
}
}  // namespace

Schedule parse_schedule(const nlohmann::json& document, const std::string& label,
                        const spec::Scenario& scenario) {
  input::ObjectReader reader(document, label, "");
  Schedule schedule;
  if (reader.integer("format", 1, kScheduleFormat, kScheduleFormat) != kScheduleFormat) {
    reader.fail("an unknown format");
  }
  auto name = reader.required("scenario", "the name of the scenario the schedule belongs to");
  schedule.scenario = name.as_string();
  if (schedule.scenario != scenario.name) {
    name.fail("\"" + scenario.name + "\", the name of the scenario being run",
              "the schedule was made for another scenario");
  }
  schedule.seed =
      static_cast<std::uint64_t>(reader.integer("seed", 0, std::numeric_limits<std::int64_t>::max(),
                                                static_cast<std::int64_t>(scenario.seed)));
  schedule.keep_scripted_faults = reader.boolean("keep_scripted_faults", false);
  if (auto bounds = reader.optional_child("bounds")) schedule.bounds = parse_bounds(*bounds);
  const auto plan = plan_scenario(scenario, schedule.keep_scripted_faults);
  model::FaultPlan probe({}, schedule.bounds, &distribution_quantile);
  simulation::run(plan, schedule.seed, nullptr, &probe);
  for (const auto& item : reader.array("faults")) {
    auto fault = item.as_object();
    schedule.faults.push_back(parse_fault(fault, scenario, probe.reached()));
  }
  reader.finish();
  return schedule;
}

Schedule read_schedule(const std::string& path, const spec::Scenario& scenario) {
  const auto document = input::load_json_file(path);
  return parse_schedule(document, path, scenario);
}

model::FaultPlan make_plan(const Schedule& schedule) {
  return model::FaultPlan(schedule.faults, schedule.bounds, &distribution_quantile);
}

simulation::Result replay(const spec::Scenario& scenario, const Schedule& schedule,
                          engine::TraceSink* trace) {
  const auto plan = plan_scenario(scenario, schedule.keep_scripted_faults);
  auto faults = make_plan(schedule);
  return simulation::run(plan, schedule.seed, trace, &faults);
}

}  // namespace deploysim::verify
