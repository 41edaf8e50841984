#include "strategy/progress_deadline.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace deploysim::strategy {
namespace {

using engine::Duration;
using engine::Time;

// A process that owns a deadline and records when it was found exceeded, and when the timer
// woke it at all.
struct Owner : engine::Process {
  explicit Owner(Duration limit) : deadline(limit) {}
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override {
    ASSERT_EQ(tag, ProgressDeadline::kTag);
    wakes.push_back(kernel.now());
    if (deadline.exceeded(kernel, *this)) exceeded_at.push_back(kernel.now());
  }
  ProgressDeadline deadline;
  std::vector<Time> wakes;
  std::vector<Time> exceeded_at;
};

Time at_min(std::int64_t minutes) {
  return Time::zero() + Duration::minutes(minutes);
}

TEST(ProgressDeadline, WithoutProgressItExpiresOnceAtTheLimit) {
  engine::Kernel kernel;
  Owner owner(Duration::minutes(10));
  owner.deadline.arm(kernel, owner);
  kernel.run();
  EXPECT_EQ(owner.wakes, std::vector<Time>{at_min(10)});
  EXPECT_EQ(owner.exceeded_at, std::vector<Time>{at_min(10)});
}

TEST(ProgressDeadline, ProgressMovesTheDeadlineAndTheTimerFollows) {
  engine::Kernel kernel;
  Owner owner(Duration::minutes(10));
  owner.deadline.arm(kernel, owner);
  // Progress at 4 and 12 min: the 10-min wake finds 14 min due, the 14-min one 22 min.
  kernel.call_at(at_min(4), [&](engine::Kernel& k) { owner.deadline.progress(k.now()); });
  kernel.call_at(at_min(12), [&](engine::Kernel& k) { owner.deadline.progress(k.now()); });
  kernel.run();
  EXPECT_EQ(owner.wakes, (std::vector<Time>{at_min(10), at_min(14), at_min(22)}));
  EXPECT_EQ(owner.exceeded_at, std::vector<Time>{at_min(22)});
}

TEST(ProgressDeadline, ProgressExactlyAtTheDueTimeStillCounts) {
  engine::Kernel kernel;
  Owner owner(Duration::minutes(10));
  // Progress scheduled before the deadline's own wake at the same instant runs first.
  kernel.call_at(at_min(10), [&](engine::Kernel& k) { owner.deadline.progress(k.now()); });
  owner.deadline.arm(kernel, owner);
  kernel.run();
  EXPECT_EQ(owner.exceeded_at, std::vector<Time>{at_min(20)});
}

}  // namespace
}  // namespace deploysim::strategy
