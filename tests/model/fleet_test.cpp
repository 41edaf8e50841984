#include "model/fleet.hpp"

#include <gtest/gtest.h>

#include "scenarios.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Kernel;
using engine::Time;

// Two groups of the same service; "new" reads flag f as runaway actions, "old" does not know it.
const char* kFleet = R"({
  "name": "fleet",
  "behaviours": {"runaway": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 100},
                 "slow": {"kind": "latency_increase", "added_latency_ms": 200}},
  "services": {"api": {"versions": {"old": {}, "new": {"flags": {"f": "runaway", "g": "slow"}}}}},
  "fleet": {"east": {"hosts": 3, "service": "api", "version": "old"},
            "west": {"hosts": 2, "service": "api", "version": "old", "name_pattern": "w{i}.example"}},
  "flags": {"f": {"initial": false}, "g": {"initial": true, "scope": ["west"]}}
})";

class FleetTest : public ::testing::Test {
 protected:
  spec::Scenario scenario_ = testing::scenario_from_json(kFleet);
  Kernel kernel_;
  Fleet fleet_{scenario_, kernel_};
  VersionIndex old_ = *fleet_.find_version("api", "old");
  VersionIndex new_ = *fleet_.find_version("api", "new");
};

TEST_F(FleetTest, HostsAreNamedByTheirGroupPattern) {
  ASSERT_EQ(fleet_.size(), 5u);
  EXPECT_EQ(fleet_.host_name(0), "east-1");
  EXPECT_EQ(fleet_.host_name(2), "east-3");
  EXPECT_EQ(fleet_.host_name(4), "w2.example");
  EXPECT_EQ(fleet_.find_host("w1.example"), 3u);
  EXPECT_FALSE(fleet_.find_host("east-9"));
}

TEST_F(FleetTest, TotalsFollowVersionAndHealthChanges) {
  EXPECT_EQ(fleet_.totals().serving_hosts, 5);
  EXPECT_EQ(fleet_.hosts_on_version(old_), 5);
  fleet_.set_version(0, new_);
  EXPECT_EQ(fleet_.hosts_on_version(new_), 1);
  EXPECT_EQ(fleet_.previous_version_of(0), old_);
  fleet_.set_health(1, Health::draining);
  EXPECT_EQ(fleet_.totals().serving_hosts, 4);
  fleet_.set_health(1, Health::terminated);
  EXPECT_EQ(fleet_.totals().live_hosts, 4);
  EXPECT_EQ(fleet_.hosts_on_version(old_), 3);
}

TEST_F(FleetTest, FlagMeaningDependsOnTheVersionThatReadsIt) {
  const auto f = *fleet_.find_flag("f");
  fleet_.set_version(0, new_);
  fleet_.set_flag(f, {0, 1}, true, 100.0);
  EXPECT_TRUE(fleet_.is_misbehaving(0)) << "new code reads f as runaway actions";
  EXPECT_FALSE(fleet_.is_misbehaving(1)) << "old code gives f no meaning";
  EXPECT_EQ(fleet_.totals().misbehaving_hosts, 1);
  EXPECT_DOUBLE_EQ(fleet_.loss_rate_per_min(), 100.0);
  fleet_.set_flag(f, {0, 1}, false, 100.0);
  EXPECT_EQ(fleet_.totals().misbehaving_hosts, 0);
  EXPECT_DOUBLE_EQ(fleet_.loss_rate_per_min(), 0.0);
}

TEST_F(FleetTest, GroupScopedFlagOnlyReachesItsGroup) {
  fleet_.set_version(0, new_);
  fleet_.set_version(3, new_);
  EXPECT_DOUBLE_EQ(fleet_.latency_ms(), 50.0 + 200.0 / 5) << "g is on in west only";
}

TEST_F(FleetTest, LossIsIntegratedExactlyBetweenChanges) {
  const auto f = *fleet_.find_flag("f");
  fleet_.set_flag(*fleet_.find_flag("g"), {1}, false, 100.0);  // latency would count as an incident
  for (HostIndex h = 0; h < 5; ++h) fleet_.set_version(h, new_);
  EXPECT_FALSE(fleet_.incident_start());
  kernel_.call_at(Time::zero() + Duration::minutes(10),
                  [&](Kernel&) { fleet_.set_flag(f, {0}, true, 100.0); });
  kernel_.call_at(Time::zero() + Duration::minutes(40),
                  [&](Kernel&) { fleet_.set_flag(f, {1}, true, 100.0); });
  kernel_.call_at(Time::zero() + Duration::minutes(70), [&](Kernel&) { fleet_.halt_group(0); });
  kernel_.run_until(Time::zero() + Duration::minutes(100));
  // east: 3 hosts x 60 min; west: 2 hosts x 60 min (30 of them after east halted at 70).
  EXPECT_DOUBLE_EQ(fleet_.impact_now().loss_usd, 100.0 * (3 * 60 + 2 * 60));
  EXPECT_EQ(fleet_.incident_start(), Time::zero() + Duration::minutes(10));
  EXPECT_FALSE(fleet_.incident_end());
  EXPECT_EQ(fleet_.max_misbehaving_hosts(), 5);
}

TEST_F(FleetTest, HaltedGroupStaysHaltedUntilResumed) {
  fleet_.halt_group(0);
  EXPECT_EQ(fleet_.totals().serving_hosts, 2);
  fleet_.set_health(0, Health::healthy);
  EXPECT_EQ(fleet_.health_of(0), Health::halted);
  EXPECT_TRUE(fleet_.is_unavailable(0));
  EXPECT_EQ(fleet_.resume_group(0, false), 0);
  EXPECT_EQ(fleet_.totals().serving_hosts, 5);
}

TEST_F(FleetTest, ResumeStartsOnlyHaltedHostsAndLeavesInstallsAlone) {
  fleet_.set_health(1, Health::out_of_rotation);  // a deployment is installing it
  fleet_.halt_group(0);
  EXPECT_EQ(fleet_.resume_group(0, true), 2);
  EXPECT_EQ(fleet_.health_of(0), Health::starting);
  EXPECT_EQ(fleet_.health_of(1), Health::out_of_rotation);
  EXPECT_EQ(fleet_.totals().serving_hosts, 2);
  fleet_.finish_start(0);
  EXPECT_EQ(fleet_.totals().serving_hosts, 4);
  EXPECT_EQ(fleet_.health_of(1), Health::out_of_rotation);
}

TEST_F(FleetTest, ServiceTotalsCountUnavailableHostsAndTheBlastRadius) {
  const auto service = fleet_.service_of(0);
  fleet_.set_health(0, Health::unreachable);
  fleet_.set_health(1, Health::crashed);
  EXPECT_FALSE(fleet_.is_available(0));
  EXPECT_TRUE(fleet_.is_unavailable(0));
  EXPECT_EQ(fleet_.service_totals(service).unavailable, 2);
  EXPECT_EQ(fleet_.service_sums(service).unavailable, 2);
  EXPECT_EQ(fleet_.sums(std::nullopt).unavailable, 2);
  fleet_.set_health(0, Health::healthy);
  fleet_.set_health(1, Health::healthy);
  EXPECT_EQ(fleet_.service_totals(service).unavailable, 0);
  EXPECT_EQ(fleet_.ever_affected_hosts(), 2) << "the blast radius remembers";
}

TEST_F(FleetTest, PercentageRolloutIsStableAndMonotone) {
  const auto f = *fleet_.find_flag("f");
  std::vector<bool> at_40;
  fleet_.set_flag(f, {0, 1}, true, 40.0);
  for (HostIndex h = 0; h < 5; ++h) at_40.push_back(fleet_.flag_on_for(f, h));
  fleet_.set_flag(f, {0, 1}, true, 80.0);
  for (HostIndex h = 0; h < 5; ++h) {
    if (at_40[h]) {
      EXPECT_TRUE(fleet_.flag_on_for(f, h)) << "raising the percentage only adds hosts";
    }
  }
  fleet_.set_flag(f, {0, 1}, true, 40.0);
  for (HostIndex h = 0; h < 5; ++h) EXPECT_EQ(fleet_.flag_on_for(f, h), at_40[h]);
}

TEST_F(FleetTest, AddedHostsJoinTheirGroupOutOfRotation) {
  const auto h = fleet_.add_host(0, new_);
  EXPECT_EQ(fleet_.host_name(h), "east-4");
  EXPECT_EQ(fleet_.health_of(h), Health::out_of_rotation);
  EXPECT_EQ(fleet_.totals().live_hosts, 6);
  EXPECT_EQ(fleet_.totals().serving_hosts, 5);
}

}  // namespace
}  // namespace deploysim::model
