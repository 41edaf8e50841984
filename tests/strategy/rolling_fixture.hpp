#pragma once
// The scenario both rolling-update test files run (rolling_test.cpp for batches,
// kubernetes_test.cpp for the Deployment controller), and readers of its result.

#include <optional>
#include <string>
#include <variant>

#include "engine/time.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy::rolling_fixture {

// One service, `hosts` hosts on v1, a deployment of `to` at 1 min with the given strategy keys
// and host_update keys. v2 is healthy, v3 crashes on start.
inline std::string rolling_scenario(int hosts, const std::string& strategy,
                                    const std::string& host_update = R"("install": "30s")",
                                    const std::string& to = "v2", const std::string& extra = "") {
  return R"({
    "name": "rolling",
    "clock": {"end": "2h"},
    "behaviours": {"crash": {"kind": "crash_on_start"}},
    "services": {"web": {"versions": {"v1": {}, "v2": {}, "v3": {"behaviour": "crash"}}}},
    "fleet": {"web": {"hosts": )" +
         std::to_string(hosts) + R"(, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": ")" +
         to + R"(", "start": "1min",
                   "strategy": {"type": "rolling")" +
         (strategy.empty() ? "" : ", " + strategy) + R"(},
                   "host_update": {)" +
         host_update + R"(}})" + extra + "}";
}

inline model::VersionIndex version(const simulation::Simulation& simulation,
                                   const std::string& name) {
  return *simulation.world().fleet().find_version("web", name);
}

// The time of the first story record called `event`, or nullopt.
inline std::optional<engine::Time> story_time(const simulation::Result& result,
                                              const std::string& event) {
  for (const auto& record : result.story) {
    if (record.event == event) return record.time;
  }
  return std::nullopt;
}

inline std::string story_detail(const simulation::Result& result, const std::string& event) {
  for (const auto& record : result.story) {
    if (record.event != event) continue;
    for (const auto& field : record.fields) {
      if (field.key == "detail") return std::get<std::string>(field.value);
    }
  }
  return {};
}

}  // namespace deploysim::strategy::rolling_fixture
