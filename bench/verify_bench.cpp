// The three speed targets of `deploysim verify` (docs/verification.md, docs/performance.md):
//   1. Knight's replay: the one-fault counterexample (a skipped server) in under 1 s;
//   2. Knight with the pre-flight gate: verified for every schedule of up to 2 faults in under 5 s;
//   3. a 1,000-host plan in four canary steps with analysis and automated rollback: every single
//      and double fault in under 10 s on 2 cores.
// Each search is timed on 2 threads, best of a few repetitions, and printed beside a baseline
// measured in the same process: one fault-free run of the same scenario. The ratio (search over
// run) holds on a loaded machine where the wall-clock figure does not.
//   build/ci/bench/verify_bench [repetitions]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "scenario/load.hpp"
#include "simulation/simulation.hpp"
#include "verify/search.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace deploysim;

template <typename F>
double best_ms(int repetitions, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return best;
}

struct Target {
  std::string label;
  std::string scenario;
  std::string property;
  int k;
  bool all_kinds;  // false: every kind but a partition of the whole group
  double limit_ms;
};

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const std::string source = DEPLOYSIM_SOURCE_DIR;
  const std::vector<Target> targets{
      {"Knight: 1-fault counterexample", "scenarios/knight_capital_2012.json", "flag_consistency",
       1, true, 1000.0},
      {"Knight gated: verified, k = 2", "scenarios/knight_capital_2012_preflight_gate.json",
       "flag_consistency", 2, true, 5000.0},
      {"1,000 hosts, canary steps: k = 2", "bench/scenarios/verify_rings_1000.json",
       "blast_radius:first_ring", 2, false, 10000.0},
  };
  std::printf("%-36s %9s %7s %9s %9s %8s %7s\n", "target", "verdict", "runs", "run ms", "search ms",
              "ratio", "limit");
  bool all_met = true;
  for (const auto& target : targets) {
    const auto scenario = scenario::load_scenario(source + "/" + target.scenario);
    const double run_ms = best_ms(repetitions, [&] { simulation::run(scenario, scenario.seed); });
    verify::SearchOptions options;
    options.max_faults = target.k;
    options.threads = 2;
    options.seed = scenario.seed;
    for (auto kind : model::all_fault_kinds()) {
      if (target.all_kinds || kind != model::FaultKind::group_unreachable) {
        options.kinds.push_back(kind);
      }
    }
    const std::vector<verify::Property> properties{
        verify::Property::named(target.property, scenario)};
    verify::Report report;
    const double search_ms =
        best_ms(repetitions, [&] { report = verify::verify(scenario, properties, options); });
    std::int64_t runs = 0;
    for (const auto& level : report.levels) runs += level.runs;
    const bool met = search_ms < target.limit_ms;
    all_met = all_met && met;
    std::printf("%-36s %9s %7lld %9.2f %9.1f %8.0f %6.0fs%s\n", target.label.c_str(),
                std::string(report.verdict_name()).c_str(), static_cast<long long>(runs), run_ms,
                search_ms, search_ms / run_ms, target.limit_ms / 1000.0, met ? "" : "  MISSED");
  }
  return all_met ? 0 : 1;
}
