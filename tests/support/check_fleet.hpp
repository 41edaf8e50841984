#pragma once
// A large, deterministic manifest and observed inventory for the checker, written as JSON text
// the way a deploy tool would write them: services with three versions each, four groups per
// service, flags owned by services, a staged rollout of the middle service, and a host report
// per declared host. A few inconsistencies are planted at fixed strides so that every rule has
// work to do and the findings stay a small share of the fleet:
//
//   every 997th host runs "1.1", every 1999th "1.0"     DS001, DS002, DS003, DS004, DS014
//   every 1499th host drifted, every 1801st is pending  DS011, DS012
//   every 1009th host converged days ago                DS013
//   every 4999th host does not report                   DS017
//   two hosts reported twice, three strays              DS015, DS016
//   a cycle among the last three services               DS005
//   the rollout misses a host, repeats one, and has a stage without a health gate and one
//   without a rollback                                  DS006, DS007, DS008, DS009
//   one unused suppression                              DS018
//
// Used by bench/check_bench.cpp (100,000 hosts) and by tests/check/rules_scale_test.cpp (a
// mid-size fleet whose report is compared with a golden file).

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/manifest.hpp"

namespace deploysim::check::fixtures {

/// How big a fleet to write; hosts are split evenly over services × groups_per_service groups.
struct FleetShape {
  std::size_t hosts = 100'000;
  std::size_t services = 50;
  std::size_t flags = 200;
  std::size_t groups_per_service = 4;
};

/// The two documents, as text.
struct GeneratedFleet {
  std::string manifest;
  std::string inventory;
};

namespace fleet_detail {

inline std::string padded(std::size_t value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width)
    text.insert(0, static_cast<std::size_t>(width) - text.size(), '0');
  return text;
}

inline std::string service_name(std::size_t s) {
  return "svc-" + padded(s, 2);
}
inline std::string group_name(std::size_t s, std::size_t g) {
  return service_name(s) + "-g" + std::to_string(g);
}
inline std::string flag_name(std::size_t k) {
  return "flag-" + padded(k, 3);
}

// Flags whose scope is every group, and that stay off: the rules still walk the whole fleet
// for them.
inline bool global_flag(std::size_t k) {
  return k % 50 == 49;
}
inline bool flag_on(std::size_t k) {
  return k % 5 != 4 && !global_flag(k);
}
// Flags scoped to the first two groups of their service only.
inline bool half_scoped(std::size_t k) {
  return k % 3 == 0;
}

inline std::map<std::string, nlohmann::json> group_config(std::size_t s, std::size_t g) {
  return {{"pool", group_name(s, g)}, {"threads", 8}, {"tls", true}};
}

}  // namespace fleet_detail

/// Writes the manifest and inventory of `shape`; the same shape always gives the same text.
inline GeneratedFleet generate_check_fleet(const FleetShape& shape) {
  using namespace fleet_detail;
  const std::size_t groups = shape.services * shape.groups_per_service;
  const std::size_t per_group = shape.hosts / groups;
  const std::size_t rollout_service = shape.services / 2;
  // Flags owned by each service: flag k belongs to service k % services.
  std::vector<std::vector<std::size_t>> owned(shape.services);
  for (std::size_t k = 0; k < shape.flags; ++k) {
    if (!global_flag(k)) owned[k % shape.services].push_back(k);
  }
  auto host_name = [&](std::size_t s, std::size_t g, std::size_t h) {
    return group_name(s, g) + "-" + padded(h, 4);
  };

  std::string m;
  m.reserve(shape.hosts * 24 + shape.flags * 200);
  m += "{\n  \"manifest_version\": 1,\n  \"name\": \"generated fleet of " +
       std::to_string(shape.hosts) + " hosts\",\n";
  // Behaviours: a new and an old code path per flag; some old ones are retired.
  m += "  \"behaviours\": {\n";
  for (std::size_t k = 0; k < shape.flags; ++k) {
    m += "    \"" + flag_name(k) + ".new\": {},\n";
    m += "    \"" + flag_name(k) + ".old\": {\"retired\": " + (k % 7 == 1 ? "true" : "false") +
         "}" + (k + 1 < shape.flags ? ",\n" : "\n");
  }
  m += "  },\n  \"services\": {\n";
  for (std::size_t s = 0; s < shape.services; ++s) {
    m += "    \"" + service_name(s) + "\": {\n      \"versions\": {\n";
    const auto& flags = owned[s];
    // 1.0 knows only the first flag, with its old meaning; 1.1 all but the last; 2.0 all.
    m += "        \"1.0\": {\"flags\": {";
    if (!flags.empty()) m += "\"" + flag_name(flags[0]) + "\": \"" + flag_name(flags[0]) + ".old\"";
    m += "}},\n        \"1.1\": {\"flags\": {";
    for (std::size_t j = 0; j + 1 < flags.size(); ++j) {
      m +=
          (j > 0 ? ", \"" : "\"") + flag_name(flags[j]) + "\": \"" + flag_name(flags[j]) + ".new\"";
    }
    m += "}},\n        \"2.0\": {\"flags\": {";
    for (std::size_t j = 0; j < flags.size(); ++j) {
      m +=
          (j > 0 ? ", \"" : "\"") + flag_name(flags[j]) + "\": \"" + flag_name(flags[j]) + ".new\"";
    }
    m += "}}\n      }";
    if (s + 1 < shape.services) {
      m += ",\n      \"depends_on\": {\"" + service_name(s + 1) + "\": [\"1.1\", \"2.0\"]}";
    } else if (shape.services >= 3) {
      m += ",\n      \"depends_on\": {\"" + service_name(s - 2) + "\": []}";
    }
    if (s == 0) {
      m += ",\n      \"x-deploysim-ignore\": {\"DS005\": \"not part of any cycle: an unused "
           "suppression\"}";
    }
    m += "\n    }" + std::string(s + 1 < shape.services ? ",\n" : "\n");
  }
  m += "  },\n  \"groups\": {\n";
  for (std::size_t s = 0; s < shape.services; ++s) {
    for (std::size_t g = 0; g < shape.groups_per_service; ++g) {
      m += "    \"" + group_name(s, g) + "\": {\"service\": \"" + service_name(s) +
           "\", \"version\": \"2.0\", \"config\": " + nlohmann::json(group_config(s, g)).dump() +
           ", \"config_revision\": \"r12\",\n      \"hosts\": [";
      for (std::size_t h = 0; h < per_group; ++h) {
        if (h % 10 == 0) m += "\n        ";
        // Some hosts override the group's configuration.
        if (h % 1000 == 500) {
          m += "{\"name\": \"" + host_name(s, g, h) + "\", \"config\": {\"threads\": 16}}";
        } else {
          m += "\"" + host_name(s, g, h) + "\"";
        }
        if (h + 1 < per_group) m += ", ";
      }
      const bool last = s + 1 == shape.services && g + 1 == shape.groups_per_service;
      m += "\n      ]}" + std::string(last ? "\n" : ",\n");
    }
  }
  m += "  },\n  \"flags\": {\n";
  for (std::size_t k = 0; k < shape.flags; ++k) {
    const std::size_t s = k % shape.services;
    m += "    \"" + flag_name(k) + "\": {\"on\": " + (flag_on(k) ? "true" : "false");
    if (!global_flag(k)) {
      m += ", \"scope\": [";
      const std::size_t scoped = half_scoped(k) ? std::min<std::size_t>(2, shape.groups_per_service)
                                                : shape.groups_per_service;
      for (std::size_t g = 0; g < scoped; ++g) {
        m += (g > 0 ? ", \"" : "\"") + group_name(s, g) + "\"";
      }
      m += "]";
    }
    m += ", \"meaning\": \"" + flag_name(k) + ".new\"}" + (k + 1 < shape.flags ? ",\n" : "\n");
  }
  // The rollout of the middle service: a 1% canary, then one stage per group.
  const std::size_t canary = std::max<std::size_t>(1, per_group / 100);
  m += "  },\n  \"rollout\": {\"service\": \"" + service_name(rollout_service) +
       "\", \"to\": \"2.0\", \"started\": \"2024-05-01T06:00:00Z\", \"stages\": [\n";
  m += "    {\"name\": \"canary\", \"canary\": true, \"health_gate\": \"error_rate\", "
       "\"rollback\": \"auto\", \"hosts\": [";
  for (std::size_t h = 0; h < canary; ++h) {
    m += (h > 0 ? ", \"" : "\"") + host_name(rollout_service, 0, h) + "\"";
  }
  m += "]}";
  for (std::size_t g = 0; g < shape.groups_per_service; ++g) {
    m += ",\n    {\"name\": \"" + group_name(rollout_service, g) + "\"";
    if (g != 2) m += ", \"health_gate\": \"error_rate\"";
    if (g != 3) m += ", \"rollback\": \"auto\"";
    m += ", \"hosts\": [";
    const std::size_t first = g == 0 ? canary : 0;
    // The last group's last host is missing from the plan.
    const std::size_t end = g + 1 == shape.groups_per_service ? per_group - 1 : per_group;
    for (std::size_t h = first; h < end; ++h) {
      if ((h - first) % 10 == 0) m += "\n      ";
      m += (h > first ? ", \"" : "\"") + host_name(rollout_service, g, h) + "\"";
    }
    // The third stage repeats a host of the second.
    if (g == 2 && per_group > 0) m += ", \"" + host_name(rollout_service, 1, 0) + "\"";
    m += "]}";
  }
  m += "\n  ]}\n}\n";

  std::string v;
  v.reserve(shape.hosts * 240);
  v += "{\n  \"inventory_version\": 1,\n  \"observed_at\": \"2024-05-01T12:00:00Z\",\n"
       "  \"source\": \"generated\",\n  \"hosts\": [\n";
  bool first_host = true;
  auto report = [&](const std::string& name, std::size_t s, std::size_t g, std::size_t h,
                    std::size_t i) {
    v += first_host ? "    " : ",\n    ";
    first_host = false;
    v += "{\"name\": \"" + name + "\", \"version\": \"";
    v += i % 1999 == 205 ? "1.0" : i % 997 == 3 ? "1.1" : "2.0";
    v += "\"";
    auto config = group_config(s, g);
    if (h % 1000 == 500) config["threads"] = 16;
    std::string revision = "r12";
    if (i % 1801 == 9) {
      revision = "r11";
      config["threads"] = 4;
    } else if (i % 1499 == 7) {
      config["threads"] = h % 1000 == 500 ? 8 : 16;  // not what the manifest declares
    }
    // Half the hosts report their configuration, the other half only its hash.
    if (i % 2 == 0) {
      v += ", \"config\": " + nlohmann::json(config).dump();
    } else {
      v += ", \"config_hash\": \"" + config_hash(config) + "\"";
    }
    v += ", \"config_revision\": \"" + revision + "\", \"flags\": {";
    bool first_flag = true;
    for (const std::size_t k : owned[s]) {
      if (half_scoped(k) && g >= 2) continue;
      v += first_flag ? "\"" : ", \"";
      first_flag = false;
      v += flag_name(k) + "\": " + (flag_on(k) ? "true" : "false");
    }
    v += "}, \"converged_at\": \"";
    v += i % 1009 == 1 ? "2024-04-28T10:00:00Z" : "2024-05-01T11:00:00Z";
    v += "\"";
    if (i == 3) v += ", \"x-deploysim-ignore\": {\"DS001\": \"canary host, pinned on purpose\"}";
    v += "}";
  };
  std::size_t i = 0;
  for (std::size_t s = 0; s < shape.services; ++s) {
    for (std::size_t g = 0; g < shape.groups_per_service; ++g) {
      for (std::size_t h = 0; h < per_group; ++h, ++i) {
        if (i % 4999 == 17) continue;
        report(host_name(s, g, h), s, g, h, i);
      }
    }
  }
  // Two hosts reported twice, and three hosts nobody declared.
  report(host_name(0, 0, 1), 0, 0, 1, 1);
  report(host_name(shape.services - 1, 0, 2), shape.services - 1, 0, 2, 2);
  for (std::size_t k = 0; k < 3; ++k) report("stray-" + std::to_string(k), 0, 0, 0, 0);
  v += "\n  ]\n}\n";
  return {std::move(m), std::move(v)};
}

}  // namespace deploysim::check::fixtures
