// A content push at the scale of the largest fleets: 10,000,000 hosts in ten rings, where the
// content crashes every host it reaches and only hands-on repair brings a host back.
//
//   rings       0.1%, 1%, 10%, then the rest in seven equal rings, 5 min apart (the push is
//               faster than the people who will stop it)
//   behaviour   crash_on_start, recovery "manual": a rollback cannot reach a crashed host
//   people      an alert on crashed hosts pages the on-call, who turns the content off about
//               75 min after the push began; every host it reached is crashed by then
//   repair      a team of 1,000 technicians, on site 2 h after the first crash, each host
//               lognormal(median 1 min 30 s); ten million repairs end after about ten days
//   clock       two weeks
//
// Each size runs in a child process (the program runs itself with --hosts=N) so that its peak
// resident memory, read with getrusage, is its own. The baseline, measured in the same run, is
// the same push to 1,000,000 hosts: the ratio of CPU time per host at 10,000,000 to CPU time per
// host at 1,000,000 shows whether the model stays linear. Every run checks its outcome (each
// host crashed and was repaired once, the content was turned off) so that a broken model cannot
// post a fast time. Figures are recorded in docs/performance.md.

#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "input/json_reader.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace {

using deploysim::simulation::Result;
using deploysim::simulation::Simulation;

constexpr std::int64_t kHosts = 10'000'000;
constexpr std::int64_t kBaselineHosts = 1'000'000;

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The scenario as a user would write it, for `hosts` hosts.
std::string content_push_json(std::int64_t hosts) {
  std::int64_t sizes[10] = {hosts / 1000, hosts / 100, hosts / 10};
  const std::int64_t rest = hosts - sizes[0] - sizes[1] - sizes[2];
  for (int r = 3; r < 10; ++r) sizes[r] = rest / 7;
  sizes[9] += rest - 7 * (rest / 7);
  std::string fleet;
  std::string rings;
  std::string scope;
  for (int r = 0; r < 10; ++r) {
    const std::string group = "ring" + std::to_string(r);
    const std::string sep = r == 0 ? "" : ",";
    fleet += sep + "\"" + group + "\": {\"hosts\": " + std::to_string(sizes[r]) +
             ", \"service\": \"sensor\", \"version\": \"7.11\"}";
    rings +=
        sep + "{\"name\": \"" + group + "\", \"groups\": [\"" + group + "\"], \"bake\": \"5min\"}";
    scope += sep + "\"" + group + "\"";
  }
  return R"json({
    "name": "content push to the largest fleet",
    "clock": {"start": "2024-07-19T04:00:00", "end": "2024-08-02T04:00:00", "zone": "UTC"},
    "behaviours": {"boot_crash": {"kind": "crash_on_start", "recovery": "manual", "team": "field"}},
    "services": {"sensor": {"versions": {"7.11": {"flags": {"content": "boot_crash"}}}}},
    "fleet": {)json" +
         fleet + R"json(},
    "flags": {"content": {"initial": false, "scope": [)json" +
         scope + R"json(]}},
    "changes": [{"name": "content update", "kind": "content", "flag": "content",
                 "start": "2024-07-19T04:09:00", "strategy": {"type": "rings", "rings": [)json" +
         rings + R"json(]}}],
    "remediation_teams": {"field": {"technicians": 1000, "per_host": "lognormal(1min30s, 0.3)",
                                    "start_after": "2h"}},
    "monitoring": {"scrape_interval": "1min",
                   "alerts": [{"name": "crashes", "metric": "misbehaving_hosts", "above": 10,
                               "for": "5min", "notify": "oncall"}]},
    "people": {"oncall": {"acknowledge": "5min", "diagnose": "60min", "act": "5min",
                          "playbook": [{"do": "set_flag", "flag": "content", "value": false}]}},
    "business": {"requests_per_host_per_s": 1, "users_per_request": 0.01}
  })json";
}

// What a correct run shows: every host crashed, each repaired once, none left waiting.
bool outcome_is_right(const Result& result, std::int64_t hosts) {
  const auto& summary = result.summary;
  if (summary.remediation.size() != 1) return false;
  const auto& team = summary.remediation.front();
  return summary.max_hosts_misbehaving == hosts && team.hosts_repaired == hosts &&
         team.hosts_awaiting_repair == 0 && team.last_repair_s.has_value();
}

// --hosts=N: one run in this process, alone; prints one line the parent reads.
int run_one(std::int64_t hosts) {
  const std::string text = content_push_json(hosts);
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const auto scenario = deploysim::scenario::parse_scenario(
      deploysim::input::parse_json_text(text, "content_push.json"), "content_push.json");
  Simulation simulation(scenario, scenario.seed);
  simulation.run();
  const Result result = simulation.result();
  const double cpu = cpu_seconds() - cpu_start;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!outcome_is_right(result, hosts)) {
    std::fprintf(stderr, "content_push %lld: unexpected result\n", static_cast<long long>(hosts));
    return 1;
  }
  const auto& team = result.summary.remediation.front();
  std::printf("%.3f %.3f %.1f %llu %.0f\n", cpu, wall, peak_rss_mib(),
              static_cast<unsigned long long>(result.summary.events_processed),
              *team.last_repair_s);
  return 0;
}

struct Figures {
  double cpu = 0, wall = 0, rss_mib = 0, last_repair_s = 0;
  unsigned long long events = 0;
};

// Runs this program again with --hosts=N and reads its line.
bool run_in_child(std::int64_t hosts, Figures& figures) {
  const std::string command =
      "/proc/" + std::to_string(getpid()) + "/exe --hosts=" + std::to_string(hosts);
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) return false;
  const int read = std::fscanf(child, "%lf %lf %lf %llu %lf", &figures.cpu, &figures.wall,
                               &figures.rss_mib, &figures.events, &figures.last_repair_s);
  return pclose(child) == 0 && read == 5;
}

void print(const char* label, std::int64_t hosts, const Figures& f) {
  std::printf("%s: %lld hosts, %llu events, last repair after %.1f days\n", label,
              static_cast<long long>(hosts), f.events, f.last_repair_s / 86400.0);
  std::printf("  %.2f s CPU, %.2f s wall, peak RSS %.0f MiB, %.0f ns CPU per host\n", f.cpu, f.wall,
              f.rss_mib, f.cpu / static_cast<double>(hosts) * 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strncmp(argv[1], "--hosts=", 8) == 0) {
    return run_one(std::strtoll(argv[1] + 8, nullptr, 10));
  }
  if (argc != 1) {
    std::fprintf(stderr,
                 "usage: content_push_bench\n"
                 "Times a content push to 10,000,000 hosts with crashes and a repair team of\n"
                 "1,000, against the same push to 1,000,000 hosts measured in the same run.\n");
    return 2;
  }
  Figures baseline;
  Figures large;
  if (!run_in_child(kBaselineHosts, baseline) || !run_in_child(kHosts, large)) {
    std::fprintf(stderr, "content_push_bench: a run failed\n");
    return 1;
  }
  print("baseline", kBaselineHosts, baseline);
  print("content_push_10m", kHosts, large);
  const double per_host_ratio = (large.cpu / static_cast<double>(kHosts)) /
                                (baseline.cpu / static_cast<double>(kBaselineHosts));
  std::printf("ratio of CPU per host, 10M over 1M: %.2f (1.00: linear)\n", per_host_ratio);
  std::printf("targets: < 10 s: %s; < 2 GiB peak RSS: %s\n", large.cpu < 10.0 ? "met" : "MISSED",
              large.rss_mib < 2048.0 ? "met" : "MISSED");
  return large.cpu < 10.0 && large.rss_mib < 2048.0 ? 0 : 1;
}
