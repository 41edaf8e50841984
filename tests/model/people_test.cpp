#include "model/people.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Time;

// Two web hosts on v2, which reads flag f (on from the start) as runaway actions. The on-call
// takes 1 min to acknowledge, 10 min per diagnosis and 1 min per action; their playbook turns f
// off, then halts, then pages the lead.
const char* kPeopleScenario = R"({
  "name": "people",
  "behaviours": {"runaway": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 60}},
  "services": {"web": {"versions": {"v1": {}, "v2": {"flags": {"f": "runaway"}}}}},
  "fleet": {"web": {"hosts": 2, "service": "web", "version": "v2"}},
  "flags": {"f": {"initial": true}},
  "people": {
    "oncall": {"acknowledge": "1min", "diagnose": "10min", "act": "1min",
               "playbook": [{"do": "set_flag", "flag": "f", "value": false},
                            {"do": "halt"},
                            {"do": "page", "person": "lead"}]},
    "lead": {}
  }
})";

// "<minute> <event> <subject>" for each story record.
std::vector<std::string> story(const World& world) {
  std::vector<std::string> lines;
  for (const auto& r : world.story()) {
    lines.push_back(std::to_string(r.time.ms() / 60'000) + " " + r.event + " " + r.subject);
  }
  return lines;
}

class ResponderTest : public ::testing::Test {
 protected:
  const spec::Person& oncall() const {
    for (const auto& person : scenario_.people) {
      if (person.name == "oncall") return person;
    }
    throw std::logic_error("no oncall");
  }
  Responder make(std::function<bool(std::string_view)> still_bad) {
    return Responder(world_, oncall(), std::move(still_bad),
                     [this](std::string_view person, std::string_view alert) {
                       pages_.push_back(std::string(person) + " about " + std::string(alert));
                     });
  }
  void run_to_minute(int minute) {
    world_.kernel().run_until(Time::zero() + Duration::minutes(minute));
  }

  spec::Scenario scenario_ = testing::scenario_from_json(kPeopleScenario);
  World world_{scenario_, 1};
  std::vector<std::string> pages_;
};

TEST_F(ResponderTest, WorksThroughThePlaybookWhileTheAlertHolds) {
  Responder oncall = make([](std::string_view) { return true; });
  EXPECT_FALSE(oncall.busy());
  oncall.page("errors");
  EXPECT_TRUE(oncall.busy());
  run_to_minute(100);
  // Acknowledge at 1; diagnose to 11; act to 12; each reassessment takes 10 min more, each
  // action 1 min: the halt at 23 and the page at 34, then a last diagnosis ends it at 44.
  EXPECT_EQ(story(world_), (std::vector<std::string>{"1 acknowledged oncall", "12 flag_set f",
                                                     "23 halted ", "34 paged lead"}));
  EXPECT_EQ(pages_, (std::vector<std::string>{"lead about errors"}));
  EXPECT_FALSE(oncall.busy());
  EXPECT_EQ(world_.fleet().totals().misbehaving_hosts, 0);
  EXPECT_EQ(world_.fleet().totals().serving_hosts, 0);
  EXPECT_EQ(world_.counters().actions_taken, 2);
}

TEST_F(ResponderTest, StopsAsSoonAsADiagnosisFindsTheProblemGone) {
  Responder oncall = make([this](std::string_view alert) {
    EXPECT_EQ(alert, "errors");
    return world_.fleet().totals().misbehaving_hosts > 0;
  });
  oncall.page("errors");
  run_to_minute(21);
  EXPECT_TRUE(oncall.busy()) << "reassessing until 22";
  run_to_minute(22);
  EXPECT_FALSE(oncall.busy());
  run_to_minute(100);
  EXPECT_EQ(story(world_), (std::vector<std::string>{"1 acknowledged oncall", "12 flag_set f"}));
  EXPECT_EQ(world_.fleet().totals().serving_hosts, 2) << "never halted";
}

TEST_F(ResponderTest, NothingIsDoneWhenTheFirstDiagnosisFindsNothing) {
  Responder oncall = make([](std::string_view) { return false; });
  oncall.page("errors");
  run_to_minute(100);
  EXPECT_EQ(story(world_), (std::vector<std::string>{"1 acknowledged oncall"}));
  EXPECT_EQ(world_.counters().actions_taken, 0);
}

TEST_F(ResponderTest, APersonAlreadyRespondingCarriesOn) {
  Responder oncall = make([](std::string_view) { return false; });
  oncall.page("errors");
  world_.kernel().call_at(Time::zero() + Duration::seconds(30),
                          [&](engine::Kernel&) { oncall.page("latency"); });
  run_to_minute(100);
  ASSERT_EQ(world_.story().size(), 1u);
  EXPECT_EQ(std::get<std::string>(world_.story().front().fields.front().value), "errors");
  // Idle again, a new page starts a new response.
  oncall.page("latency");
  run_to_minute(200);
  EXPECT_EQ(story(world_).back(), "101 acknowledged oncall");
}

}  // namespace
}  // namespace deploysim::model
