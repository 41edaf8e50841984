// The search: the counterexamples the issue names, their replay, and results that depend neither
// on the thread count nor on symmetry reduction or pruning.

#include "verify/search.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <sstream>
#include <string>

#include "input/input_error.hpp"
#include "scenario/load.hpp"
#include "verify/report.hpp"

namespace deploysim::verify {
namespace {

const std::string kSearchSource = DEPLOYSIM_SOURCE_DIR;

spec::Scenario load(const std::string& relative) {
  return scenario::load_scenario(kSearchSource + "/" + relative);
}

Report search(const spec::Scenario& scenario, const std::vector<std::string>& names,
              SearchOptions options) {
  std::vector<Property> properties;
  for (const auto& name : names) properties.push_back(Property::named(name, scenario));
  options.seed = scenario.seed;
  return verify(scenario, properties, options);
}

// Every kind but a partition of the whole group, which is no fault of the rollout's.
SearchOptions ring_options(int k) {
  SearchOptions options;
  options.max_faults = k;
  for (auto kind : model::all_fault_kinds()) {
    if (kind != model::FaultKind::group_unreachable) options.kinds.push_back(kind);
  }
  return options;
}

TEST(Search, KnightFailsUnderOneSkippedServer) {
  const auto knight = load("scenarios/knight_capital_2012.json");
  SearchOptions options;
  options.max_faults = 1;
  const auto report = search(knight, {"flag_consistency"}, options);
  ASSERT_EQ(report.verdict, Report::Verdict::violated);
  ASSERT_TRUE(report.counterexample);
  const auto& faults = report.counterexample->schedule.faults;
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, model::FaultKind::skip_host);
  EXPECT_EQ(faults[0].target, "smars-1");  // the earliest of the eight
  EXPECT_GT(report.counterexample->result.summary.loss_usd, 1e8);
  // The fault-free plan (level 0) is safe: the replay's scripted skip is not part of the plan.
  EXPECT_EQ(report.levels[0].violations, 0);
}

TEST(Search, TheCounterexampleFileReplaysExactly) {
  const auto knight = load("scenarios/knight_capital_2012.json");
  SearchOptions options;
  options.max_faults = 1;
  const auto report = search(knight, {"flag_consistency"}, options);
  ASSERT_TRUE(report.counterexample);
  const auto file = report.counterexample->schedule.to_json();
  const auto schedule = parse_schedule(nlohmann::json::parse(file.dump()), "cx.json", knight);
  const auto replayed = replay(knight, schedule);
  EXPECT_EQ(replayed.summary.to_json(), report.counterexample->result.summary.to_json());
  EXPECT_EQ(replayed.story.size(), report.counterexample->result.story.size());
}

TEST(Search, TheGatedKnightIsVerifiedUpToTwoFaults) {
  const auto gated = load("scenarios/knight_capital_2012_preflight_gate.json");
  SearchOptions options;
  options.max_faults = 2;
  options.threads = 2;
  const auto report = search(gated, {"flag_consistency"}, options);
  EXPECT_EQ(report.verdict, Report::Verdict::verified);
  ASSERT_EQ(report.levels.size(), 3u);
  const auto n = report.point_classes;
  EXPECT_EQ(report.levels[2].classes, n * (n - 1) / 2);
  EXPECT_EQ(report.exit_code(), 0);
}

TEST(Search, TheRingPlanFailsOnlyUnderAMissedAlertAndASlowResponder) {
  const auto ring = load("tests/data/verify/ring_plan.json");
  const auto one = search(ring, {"blast_radius:first_ring"}, ring_options(1));
  EXPECT_EQ(one.verdict, Report::Verdict::verified);
  const auto two = search(ring, {"blast_radius:first_ring"}, ring_options(2));
  ASSERT_EQ(two.verdict, Report::Verdict::violated);
  ASSERT_EQ(two.counterexample->schedule.faults.size(), 2u);
  EXPECT_EQ(two.counterexample->schedule.faults[0].kind, model::FaultKind::alert_silent);
  // The pair the issue names breaks it; each of its faults alone does not (k = 1 above).
  Schedule pair{
      ring.name,
      ring.seed,
      false,
      {},
      {{model::FaultKind::alert_silent, "errors"}, {model::FaultKind::person_slow, "oncall"}}};
  const auto run = replay(ring, pair);
  EXPECT_GT(run.summary.blast_radius_hosts, 2);
}

TEST(Search, TheReportDoesNotDependOnTheThreadCount) {
  const auto ring = load("tests/data/verify/ring_plan.json");
  auto options = ring_options(2);
  options.threads = 1;
  const auto one = search(ring, {"blast_radius:first_ring", "error_budget"}, options);
  options.threads = 3;
  const auto three = search(ring, {"blast_radius:first_ring", "error_budget"}, options);
  EXPECT_EQ(one.to_json().dump(), three.to_json().dump());
}

TEST(Search, SymmetryReductionAndPruningGiveTheFullSearchsVerdict) {
  const auto ring = load("tests/data/verify/ring_plan.json");
  for (int k = 1; k <= 2; ++k) {
    auto reduced_options = ring_options(k);
    auto full_options = ring_options(k);
    full_options.symmetry = false;
    full_options.prune = false;
    const auto reduced = search(ring, {"blast_radius:first_ring"}, reduced_options);
    const auto full = search(ring, {"blast_radius:first_ring"}, full_options);
    EXPECT_EQ(reduced.verdict, full.verdict) << "k = " << k;
    EXPECT_LT(reduced.point_classes, full.point_classes);
    // The classes stand for every schedule, and the violations found are the same ones.
    for (std::size_t m = 0; m < full.levels.size(); ++m) {
      EXPECT_EQ(reduced.levels[m].schedules, full.levels[m].schedules);
      EXPECT_EQ(full.levels[m].pruned, 0);
      EXPECT_LE(reduced.levels[m].runs, full.levels[m].runs);
    }
    ASSERT_EQ(reduced.counterexample.has_value(), full.counterexample.has_value());
    if (reduced.counterexample) {
      EXPECT_EQ(reduced.counterexample->schedule.to_json(),
                full.counterexample->schedule.to_json());
    }
  }
}

TEST(Search, ExactProbabilitiesOverTheExploredSchedules) {
  const auto knight = load("scenarios/knight_capital_2012.json");
  SearchOptions options;
  options.max_faults = 1;
  options.kinds = {model::FaultKind::skip_host};
  const double p = 0.01;
  options.probabilities = {{model::FaultKind::skip_host, p}};
  const auto report = search(knight, {"flag_consistency"}, options);
  // Eight hosts, each skipped with chance p: any one skip breaks it.
  ASSERT_TRUE(report.violation_probability && report.unexplored_probability);
  EXPECT_NEAR(*report.violation_probability, 8 * p * std::pow(1 - p, 7), 1e-15);
  EXPECT_NEAR(*report.unexplored_probability, 1 - std::pow(1 - p, 8) - 8 * p * std::pow(1 - p, 7),
              1e-15);
}

TEST(Search, AStoppedSearchKeepsWhatItExplored) {
  const auto gated = load("scenarios/knight_capital_2012_preflight_gate.json");
  std::atomic<bool> stop{false};
  SearchOptions options;
  options.max_faults = 2;
  options.stop = &stop;
  options.progress = [&](std::int64_t done, std::int64_t, int level) {
    if (level == 2 && done >= 10) stop = true;
  };
  const auto report = search(gated, {"flag_consistency"}, options);
  EXPECT_EQ(report.verdict, Report::Verdict::incomplete);
  ASSERT_EQ(report.levels.size(), 3u);
  EXPECT_TRUE(report.levels[1].complete);
  EXPECT_FALSE(report.levels[2].complete);
  EXPECT_GE(report.levels[2].runs, 10);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(Search, BadOptionsAreInputErrors) {
  const auto knight = load("scenarios/knight_capital_2012.json");
  SearchOptions options;
  options.max_faults = 6;
  EXPECT_THROW(search(knight, {"flag_consistency"}, options), input::InputError);
  options.max_faults = 1;
  options.bounds.slow_quantile = 1.0;
  EXPECT_THROW(search(knight, {"flag_consistency"}, options), input::InputError);
}

TEST(Report, FormatsForPipelines) {
  const auto knight = load("scenarios/knight_capital_2012.json");
  SearchOptions options;
  options.max_faults = 1;
  const auto report = search(knight, {"flag_consistency"}, options);
  std::ostringstream sarif;
  write_report(sarif, Format::sarif, report, "scenarios/knight_capital_2012.json");
  const auto json = nlohmann::json::parse(sarif.str());
  EXPECT_EQ(json["version"], "2.1.0");
  ASSERT_EQ(json["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(json["runs"][0]["results"][0]["ruleId"], "verify/flag_consistency");
  std::ostringstream junit;
  write_report(junit, Format::junit, report, "scenarios/knight_capital_2012.json");
  EXPECT_NE(junit.str().find("<failure message=\"violated with 1 fault\">"), std::string::npos);
  std::ostringstream text;
  write_report(text, Format::text, report, "knight.json");
  EXPECT_NE(text.str().find("skip_host smars-1"), std::string::npos);
}

}  // namespace
}  // namespace deploysim::verify
