#include "strategy/strategy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios.hpp"
#include "strategy/all_at_once.hpp"

namespace deploysim::strategy {
namespace {

using engine::Duration;
using engine::Time;
using model::Health;

// Three web hosts on v1; v2 is healthy, v3 crashes on start. `deployment` holds the keys after
// service, to and strategy; `extra` is spliced in at the top level.
std::string base_scenario(const std::string& to, const std::string& deployment = "",
                          const std::string& extra = "") {
  return R"({
    "name": "strategy", "clock": {"end": "2h"},
    "behaviours": {"crash": {"kind": "crash_on_start"}},
    "services": {"web": {"versions": {"v1": {}, "v2": {}, "v3": {"behaviour": "crash"}}}},
    "fleet": {"web": {"hosts": 3, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": ")" +
         to + R"(", "strategy": {"type": "all_at_once"})" + deployment + "}" + extra + "}";
}

// The smallest strategy: updates the listed hosts at once and completes when all have ended.
// The base class's protected members are opened up so that the tests can drive them.
class ListStrategy : public Strategy {
 public:
  ListStrategy(model::World& world, const spec::Deployment& deployment,
               std::vector<HostIndex> hosts)
      : Strategy(world, deployment), hosts_(std::move(hosts)) {}
  using Strategy::finish;
  using Strategy::live_deployment_hosts;
  void host_updated(HostIndex /*host*/, bool /*ok*/) override {
    if (++ended_ == hosts_.size()) finish(DeployOutcome::completed);
  }
  std::vector<std::uint64_t> timers;

 protected:
  void start() override {
    for (HostIndex h : hosts_) updater_.update(h, target_);
    world_.kernel().wake_after(Duration::minutes(5), *this, 7);
  }
  void on_timer(std::uint64_t tag) override { timers.push_back(tag); }

 private:
  std::vector<HostIndex> hosts_;
  std::size_t ended_ = 0;
};

// "<second> <event>: <detail>" for each story record.
std::vector<std::string> story(const model::World& world) {
  std::vector<std::string> lines;
  for (const auto& r : world.story()) {
    std::string detail;
    for (const auto& f : r.fields) {
      if (f.key == "detail") detail = ": " + std::get<std::string>(f.value);
    }
    lines.push_back(std::to_string(r.time.ms() / 1000) + " " + r.event + detail);
  }
  return lines;
}

struct Deploy {
  explicit Deploy(const std::string& json, std::vector<HostIndex> hosts = {0, 1, 2})
      : scenario(testing::scenario_from_json(json)),
        world(scenario, 1),
        strategy(world, *scenario.deployment, std::move(hosts)) {
    world.set_rollout(&strategy);
  }
  void to_second(int s) { world.kernel().run_until(Time::zero() + Duration::seconds(s)); }
  model::VersionIndex version(const char* name) const {
    return *world.fleet().find_version("web", name);
  }
  spec::Scenario scenario;
  model::World world;
  ListStrategy strategy;
};

TEST(StrategyBase, BeginNotesTheStartAndFinishNotesTheOutcomeOnce) {
  Deploy run(base_scenario("v2"));
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::not_started);
  run.strategy.begin();
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::in_progress);
  run.to_second(3600);
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::completed);
  EXPECT_EQ(story(run.world),
            (std::vector<std::string>{"0 deploy_started: all_at_once deploy of v2 to 3 host(s)",
                                      "30 deploy_completed: 3 of 3 host(s) on v2"}));
  ASSERT_TRUE(run.world.counters().deploy_finished_at);
  EXPECT_EQ(*run.world.counters().deploy_finished_at, Time::zero() + Duration::seconds(30));
  // A finished rollout cannot finish again, nor does it see its own timers any more.
  run.strategy.finish(DeployOutcome::halted, "late");
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::completed);
  EXPECT_EQ(run.world.story().size(), 2u);
  EXPECT_TRUE(run.strategy.timers.empty()) << "the 5 min timer came after the end";
}

TEST(StrategyBase, TimersReachTheStrategyWhileItIsActive) {
  Deploy run(base_scenario("v2"), {});  // nothing to update: it never completes by itself
  run.strategy.begin();
  run.to_second(301);
  EXPECT_EQ(run.strategy.timers, (std::vector<std::uint64_t>{7}));
  EXPECT_EQ(run.strategy.live_deployment_hosts(), 3);
  run.world.fleet().set_health(2, Health::terminated);
  EXPECT_EQ(run.strategy.live_deployment_hosts(), 2);
}

TEST(StrategyBase, WithoutVerificationAHostLeftBehindStillCompletes) {
  Deploy run(base_scenario("v2"), {0, 1});
  run.strategy.begin();
  run.to_second(3600);
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::completed);
  EXPECT_EQ(story(run.world).back(), "30 deploy_completed: 2 of 3 host(s) on v2");
}

TEST(StrategyBase, PostDeployVerificationFailsADeployThatMissedAHost) {
  Deploy run(base_scenario("v2", R"(, "post_deploy_verification": true)"), {0, 1});
  run.strategy.begin();
  run.to_second(3600);
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::failed);
  EXPECT_EQ(story(run.world), (std::vector<std::string>{
                                  "0 deploy_started: all_at_once deploy of v2 to 3 host(s)",
                                  "30 deploy_completed: 2 of 3 host(s) on v2",
                                  "30 verification_failed: 1 host(s) not on v2 after the deploy"}));
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 3) << "no halt without the automation";
}

TEST(StrategyBase, VerificationPassesWhenEveryLiveHostIsOnTarget) {
  // A terminated host does not count against the deploy.
  Deploy run(base_scenario("v2", R"(, "post_deploy_verification": true)"), {0, 1});
  run.world.fleet().set_health(2, Health::terminated);
  run.strategy.begin();
  run.to_second(3600);
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::completed);
}

TEST(StrategyBase, FailedVerificationHaltsTheServiceWhenAutomationSaysSo) {
  Deploy run(base_scenario("v2", R"(, "post_deploy_verification": true)",
                           R"(, "automation": {"halt_on_inconsistency": true})"),
             {0, 1});
  run.strategy.begin();
  run.to_second(3600);
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::failed);
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 0);
  const auto& last = run.world.story().back();
  EXPECT_EQ(last.event, "halted");
  EXPECT_EQ(std::get<std::string>(last.fields[1].value), "post-deploy verification failed");
}

TEST(StrategyBase, DefaultRollbackPutsThePreviousVersionBackAtOnce) {
  Deploy run(base_scenario("v2"), {0, 1});
  run.strategy.begin();
  run.to_second(3600);
  ASSERT_EQ(run.world.fleet().hosts_on_version(run.version("v2")), 2);
  run.world.rollback_code("", "oncall", "errors");
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::rolled_back);
  EXPECT_EQ(run.world.fleet().hosts_on_version(run.version("v1")), 3);
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 3);
}

TEST(StrategyBase, RollbackRestartsHostsThatCrashedOnTheNewVersion) {
  Deploy run(base_scenario("v3"));
  run.strategy.begin();
  run.to_second(3600);
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 0) << "v3 crashes on start";
  run.strategy.rollback("crashes", "oncall");
  EXPECT_EQ(run.world.fleet().hosts_on_version(run.version("v1")), 3);
  for (HostIndex h = 0; h < 3; ++h) EXPECT_EQ(run.world.fleet().health_of(h), Health::healthy);
}

TEST(StrategyBase, RollbackMidwayCancelsUpdatesInFlight) {
  Deploy run(base_scenario("v2"));
  run.strategy.begin();
  run.to_second(10);
  run.strategy.rollback("changed my mind", "oncall");
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::rolled_back);
  run.to_second(3600);
  EXPECT_EQ(run.world.fleet().hosts_on_version(run.version("v1")), 3);
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 3);
}

TEST(StrategyBase, RollbackBeforeTheStartChangesNothing) {
  Deploy run(base_scenario("v2"));
  run.strategy.rollback("nothing yet", "oncall");
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::not_started);
  EXPECT_EQ(run.world.fleet().hosts_on_version(run.version("v1")), 3);
}

TEST(StrategyBase, HaltStopsUpdatesInFlightAndEndsTheRollout) {
  Deploy run(base_scenario("v2"));
  run.strategy.begin();
  run.to_second(10);
  run.world.halt("", "oncall", "errors");
  EXPECT_EQ(run.strategy.outcome(), DeployOutcome::halted);
  // Abandoned installs do not bring their hosts back into a halted service.
  EXPECT_EQ(run.world.fleet().totals().serving_hosts, 0);
  run.to_second(3600);
  EXPECT_EQ(run.world.fleet().hosts_on_version(run.version("v2")), 0) << "installs abandoned";
  EXPECT_EQ(story(run.world)[1], "10 deploy_halted: 0 of 3 host(s) on v2");
}

TEST(MakeStrategy, BuildsTheStrategyTheDeploymentNames) {
  const auto scenario = testing::scenario_from_json(base_scenario("v2"));
  model::World world(scenario, 1);
  const auto strategy = make_strategy(world, *scenario.deployment);
  ASSERT_NE(dynamic_cast<AllAtOnceStrategy*>(strategy.get()), nullptr);
  world.set_rollout(strategy.get());
  strategy->begin();
  world.kernel().run_until(Time::zero() + Duration::minutes(10));
  EXPECT_EQ(strategy->outcome(), DeployOutcome::completed);
  EXPECT_EQ(world.fleet().hosts_on_version(*world.target_version()), 3);
}

}  // namespace
}  // namespace deploysim::strategy
