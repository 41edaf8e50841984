// The property language: what it accepts, where it refuses (with a column), and what it says of
// real runs.

#include "verify/property.hpp"

#include <gtest/gtest.h>

#include <string>

#include "input/input_error.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::verify {
namespace {

const std::string kPropertySource = DEPLOYSIM_SOURCE_DIR;

const spec::Scenario& knight() {
  static const auto scenario =
      scenario::load_scenario(kPropertySource + "/scenarios/knight_capital_2012.json");
  return scenario;
}

// The verdict of `text` on a run of `scenario`, checked after every event.
bool holds(const std::string& text, const spec::Scenario& scenario) {
  const auto property = Property::named(text, scenario);
  Property::Check check(property);
  simulation::Simulation simulation(scenario, scenario.seed);
  check.observe(simulation.world(), simulation);
  while (simulation.step()) check.observe(simulation.world(), simulation);
  return check.holds(simulation.world(), simulation.result().summary);
}

// The one problem of a property that does not parse.
input::InputProblem problem(const std::string& text) {
  try {
    Property::named(text, knight());
  } catch (const input::InputError& error) {
    return error.problems().front();
  }
  ADD_FAILURE() << "parsed: " << text;
  return {};
}

TEST(Property, KnightsInvariantFailsOnTheReplayAndHoldsWithTheGate) {
  const auto gated = scenario::load_scenario(kPropertySource +
                                             "/scenarios/knight_capital_2012_preflight_gate.json");
  const std::string invariant = "always(flag_on(power_peg) implies uniform_version(smars))";
  EXPECT_FALSE(holds(invariant, knight()));
  EXPECT_TRUE(holds(invariant, gated));
  EXPECT_FALSE(holds("flag_consistency", knight()));
  EXPECT_TRUE(holds("flag_consistency", gated));
}

TEST(Property, NoHostServesMidInstallHoldsForARollout) {
  const auto rolling =
      scenario::load_scenario(kPropertySource + "/scenarios/kubernetes_rolling_bad_version.json");
  EXPECT_TRUE(holds("no_serving_mid_install", rolling));
  EXPECT_TRUE(holds("no_serving_mid_install", knight()));
}

TEST(Property, NoHostServesMidInstallCatchesARepairDuringAnInstall) {
  // A flag crashes web-1 at 1 min (manual repair, 5 min); it is off again at 90 s. The deploy
  // starts installing v2 on every host at 2 min for 10 min; the repair ends at 6 min and puts
  // web-1 back into service while its install still runs.
  const auto scenario = scenario::parse_scenario(nlohmann::json::parse(R"({
    "name": "repair during an install",
    "behaviours": {"boot": {"kind": "crash_on_start", "recovery": "manual", "team": "desk"}},
    "services": {"web": {"versions": {"v1": {"flags": {"bad": "boot"}}, "v2": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}},
    "flags": {"bad": {"initial": false, "percent": 50}},
    "remediation_teams": {"desk": {"technicians": 1, "per_host": "5min"}},
    "deployment": {"service": "web", "to": "v2", "start": "+2min",
                   "strategy": {"type": "all_at_once"}, "host_update": {"install": "10min"}},
    "timeline": [{"at": "+1min", "do": "set_flag", "flag": "bad", "value": true, "percent": 50},
                 {"at": "+90s", "do": "set_flag", "flag": "bad", "value": false}],
    "clock": {"end": "1h"}})"),
                                                 "test.json");
  EXPECT_FALSE(holds("no_serving_mid_install", scenario));
  EXPECT_FALSE(holds("served_mid_install() == 0", scenario));
}

TEST(Property, SummaryKeysComparisonsAndConnectives) {
  EXPECT_TRUE(holds("max_hosts_misbehaving <= 8", knight()));
  EXPECT_FALSE(holds("max_hosts_misbehaving < 8", knight()));
  EXPECT_TRUE(holds("loss_usd > 1e8 and deploy_outcome == \"rolled_back\"", knight()));
  EXPECT_TRUE(holds("not loss_usd < 1 or alerts_fired == 0", knight()));
  EXPECT_TRUE(holds("loss:1e12", knight()));
  EXPECT_FALSE(holds("loss:1e6", knight()));
  EXPECT_TRUE(holds("blast_radius:8", knight()));
  EXPECT_FALSE(holds("blast_radius:1", knight()));
  // implies binds loosest and to the right; and before or.
  EXPECT_TRUE(holds("false implies false implies false", knight()));
  EXPECT_TRUE(holds("true or false and false", knight()));
  EXPECT_TRUE(holds("eventually(flag_on(power_peg))", knight()));
  EXPECT_FALSE(holds("always(misbehaving_hosts() == 0)", knight()));
  EXPECT_TRUE(holds("services.smars.blast_radius_hosts == 8", knight()));
}

TEST(Property, NullComparesEqualOnlyToNull) {
  const auto gated = scenario::load_scenario(kPropertySource +
                                             "/scenarios/knight_capital_2012_preflight_gate.json");
  EXPECT_TRUE(holds("time_to_detect_s == null", gated));
  EXPECT_FALSE(holds("time_to_detect_s < 60", gated));
  EXPECT_FALSE(holds("time_to_detect_s >= 60", gated));
}

TEST(Property, ErrorsNameTheColumn) {
  auto p = problem("loss_usd <= 10 and max_host_misbehaving < 3");
  EXPECT_EQ(p.column, 20);
  EXPECT_NE(p.hint.find("max_hosts_misbehaving"), std::string::npos);
  p = problem("always(flag_on(power_pge))");
  EXPECT_EQ(p.column, 16);
  EXPECT_NE(p.hint.find("power_peg"), std::string::npos);
  p = problem("always(uniform_version(smars) and always(true))");
  EXPECT_EQ(p.column, 35);
  p = problem("loss_usd <= ");
  EXPECT_EQ(p.found, "the end of the property");
  p = problem("(loss_usd <= 1");
  EXPECT_EQ(p.expected, "')'");
  p = problem("alwys(true)");
  EXPECT_NE(p.hint.find("always"), std::string::npos);
  EXPECT_EQ(problem("blast_radius:lots").found, "\"blast_radius:lots\"");
  EXPECT_NE(problem("flag_consistncy").hint.find("flag_consistency"), std::string::npos);
  EXPECT_NE(problem("settles:soon").expected.find("DURATION"), std::string::npos);
}

TEST(Property, MessagesAreOneLineWithTheColumn) {
  try {
    Property::named("loss_usd <= 10 and bogus > 1", knight(), "--property");
    FAIL();
  } catch (const input::InputError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("--property:1:20: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace deploysim::verify
