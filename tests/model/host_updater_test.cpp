#include "model/host_updater.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios.hpp"

namespace deploysim::model {
namespace {

using engine::Distribution;
using engine::Duration;
using engine::Time;

// Three web hosts on v1; v2 is healthy and v3 crashes on start.
const char* kScenario = R"({
  "name": "updater",
  "behaviours": {"crash": {"kind": "crash_on_start"}},
  "services": {"web": {"versions": {"v1": {}, "v2": {}, "v3": {"behaviour": "crash"}}}},
  "fleet": {"web": {"hosts": 3, "service": "web", "version": "v1"}}
})";

struct Ended {
  HostIndex host;
  bool ok;
  std::int64_t at_s;
  bool operator==(const Ended&) const = default;
};

class HostUpdaterTest : public ::testing::Test, public HostUpdateListener {
 protected:
  void host_updated(HostIndex host, bool ok) override {
    ended_.push_back({host, ok, world_.now().ms() / 1000});
  }
  Time at(int seconds) const { return Time::zero() + Duration::seconds(seconds); }
  VersionIndex version(const char* name) const { return *world_.fleet().find_version("web", name); }

  spec::Scenario scenario_ = testing::scenario_from_json(kScenario);
  World world_{scenario_, 1};
  spec::HostUpdate timing_;
  std::vector<Ended> ended_;
};

TEST_F(HostUpdaterTest, DrainInstallCheckThenBackIntoRotation) {
  timing_.drain = Duration::seconds(10);
  timing_.install = Distribution::constant(30'000.0);
  timing_.health_check = Duration::seconds(5);
  HostUpdater updater(world_, timing_, *this);
  Fleet& fleet = world_.fleet();
  updater.update(0, version("v2"));
  EXPECT_EQ(fleet.health_of(0), Health::draining);
  EXPECT_EQ(updater.in_flight(), 1);
  EXPECT_TRUE(updater.is_updating(0));
  EXPECT_FALSE(updater.is_updating(1));
  world_.kernel().run_until(at(9));
  EXPECT_EQ(fleet.health_of(0), Health::draining);
  world_.kernel().run_until(at(10));
  EXPECT_EQ(fleet.health_of(0), Health::out_of_rotation);
  EXPECT_EQ(fleet.version_of(0), version("v1"));
  world_.kernel().run_until(at(40));  // 10 s drain + 30 s install: the new version, not ready
  EXPECT_EQ(fleet.version_of(0), version("v2"));
  EXPECT_EQ(fleet.health_of(0), Health::out_of_rotation);
  EXPECT_TRUE(ended_.empty());
  world_.kernel().run_until(at(60));
  EXPECT_EQ(fleet.health_of(0), Health::healthy);
  EXPECT_EQ(ended_, (std::vector<Ended>{{0, true, 45}}));
  EXPECT_EQ(updater.in_flight(), 0);
}

TEST_F(HostUpdaterTest, AHostNotServingSkipsTheDrain) {
  timing_.drain = Duration::seconds(10);
  HostUpdater updater(world_, timing_, *this);
  world_.fleet().set_health(1, Health::out_of_rotation);
  updater.update(1, version("v2"));
  world_.kernel().run_until(at(100));
  EXPECT_EQ(ended_, (std::vector<Ended>{{1, true, 30}}));
}

TEST_F(HostUpdaterTest, AVersionThatCrashesOnStartEndsCrashed) {
  timing_.health_check = Duration::seconds(5);
  HostUpdater updater(world_, timing_, *this);
  updater.update(2, version("v3"));
  world_.kernel().run_until(at(100));
  EXPECT_EQ(world_.fleet().health_of(2), Health::crashed);
  EXPECT_EQ(world_.fleet().version_of(2), version("v3"));
  EXPECT_EQ(ended_, (std::vector<Ended>{{2, false, 30}})) << "no health check after a crash";
}

TEST_F(HostUpdaterTest, FailedInstallsAreRetriedThenGivenUp) {
  // Every attempt fails: installs end at 30 s, 70 s and 110 s (30 s install + 10 s delay), and
  // after the second retry the host counts as failed, still on its old version.
  timing_.install_failure_probability = 1.0;
  timing_.max_retries = 2;
  HostUpdater updater(world_, timing_, *this);
  engine::MemoryTraceSink sink;
  world_.set_trace(&sink);
  updater.update(0, version("v2"));
  world_.kernel().run_until(at(1000));
  EXPECT_EQ(ended_, (std::vector<Ended>{{0, false, 110}}));
  EXPECT_EQ(world_.fleet().version_of(0), version("v1"));
  std::vector<std::int64_t> failed_at;
  for (const auto& record : sink.records) {
    if (record.event == "install_failed") failed_at.push_back(record.time.ms() / 1000);
  }
  EXPECT_EQ(failed_at, (std::vector<std::int64_t>{30, 70}));
  EXPECT_EQ(sink.records.back().event, "host_update_failed");
}

TEST_F(HostUpdaterTest, NoRetriesMeansTheFirstFailureEndsIt) {
  timing_.install_failure_probability = 1.0;
  timing_.max_retries = 0;
  HostUpdater updater(world_, timing_, *this);
  updater.update(0, version("v2"));
  world_.kernel().run_until(at(1000));
  EXPECT_EQ(ended_, (std::vector<Ended>{{0, false, 30}}));
}

TEST_F(HostUpdaterTest, PreviewHostsEndOutOfRotation) {
  HostUpdater updater(world_, timing_, *this);
  updater.update(0, version("v2"), /*into_rotation=*/false);
  world_.kernel().run_until(at(100));
  EXPECT_EQ(world_.fleet().health_of(0), Health::out_of_rotation);
  EXPECT_EQ(ended_, (std::vector<Ended>{{0, true, 30}}));
}

TEST_F(HostUpdaterTest, ASecondUpdateOfABusyHostIsIgnored) {
  HostUpdater updater(world_, timing_, *this);
  updater.update(0, version("v2"));
  world_.kernel().run_until(at(20));
  updater.update(0, version("v3"));
  EXPECT_EQ(updater.in_flight(), 1);
  world_.kernel().run_until(at(100));
  EXPECT_EQ(world_.fleet().version_of(0), version("v2"));
  EXPECT_EQ(ended_, (std::vector<Ended>{{0, true, 30}}));
}

TEST_F(HostUpdaterTest, CancelAllReturnsHostsWithoutTellingTheListener) {
  timing_.drain = Duration::seconds(10);
  HostUpdater updater(world_, timing_, *this);
  updater.update(0, version("v2"));
  updater.update(1, version("v2"), /*into_rotation=*/false);
  world_.kernel().run_until(at(15));
  updater.cancel_all();
  EXPECT_EQ(updater.in_flight(), 0);
  EXPECT_FALSE(updater.is_updating(0));
  EXPECT_EQ(world_.fleet().health_of(0), Health::healthy);
  EXPECT_EQ(world_.fleet().health_of(1), Health::out_of_rotation);
  world_.kernel().run_until(at(1000));
  EXPECT_TRUE(ended_.empty()) << "cancelled installs never finish";
  EXPECT_EQ(world_.fleet().version_of(0), version("v1"));
}

TEST_F(HostUpdaterTest, InstallTimesDependOnTheHostNotOnTheOrderOfUpdates) {
  timing_.install = Distribution::of(Distribution::Kind::exponential, {60'000.0});
  auto finish_times = [&](std::vector<HostIndex> order) {
    spec::Scenario scenario = testing::scenario_from_json(kScenario);
    World world(scenario, 42);
    struct Listener : HostUpdateListener {
      World* world;
      std::vector<std::int64_t> ms = std::vector<std::int64_t>(3, -1);
      void host_updated(HostIndex host, bool) override { ms[host] = world->now().ms(); }
    } listener;
    listener.world = &world;
    HostUpdater updater(world, timing_, listener);
    for (HostIndex h : order) updater.update(h, *world.fleet().find_version("web", "v2"));
    world.kernel().run_until(at(100'000));
    return listener.ms;
  };
  const auto forward = finish_times({0, 1, 2});
  EXPECT_EQ(forward, finish_times({2, 0, 1}));
  EXPECT_NE(forward[0], forward[1]);
}

}  // namespace
}  // namespace deploysim::model
