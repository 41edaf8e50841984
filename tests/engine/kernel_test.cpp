#include "engine/kernel.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/random.hpp"

namespace deploysim::engine {
namespace {

// Records every wake-up as "tag@ms".
class Recorder : public Process {
 public:
  void on_wake(Kernel& kernel, std::uint64_t tag) override {
    log.push_back(std::to_string(tag) + "@" + std::to_string(kernel.now().ms()));
  }
  std::vector<std::string> log;
};

TEST(Kernel, EventsRunInTimeOrder) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(30), recorder, 3);
  kernel.wake_at(Time::from_ms(10), recorder, 1);
  kernel.wake_at(Time::from_ms(20), recorder, 2);
  EXPECT_EQ(kernel.run(), RunStatus::drained);
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"1@10", "2@20", "3@30"}));
  EXPECT_EQ(kernel.events_processed(), 3u);
}

TEST(Kernel, TiesRunInSchedulingOrder) {
  Kernel kernel;
  Recorder recorder;
  // Enough entries at one time that the heap must reorder them internally.
  for (std::uint64_t tag = 0; tag < 100; ++tag) kernel.wake_at(Time::from_ms(5), recorder, tag);
  kernel.run();
  ASSERT_EQ(recorder.log.size(), 100u);
  for (std::uint64_t tag = 0; tag < 100; ++tag) {
    EXPECT_EQ(recorder.log[tag], std::to_string(tag) + "@5");
  }
}

TEST(Kernel, TieScheduledDuringAnEventRunsAfterEarlierTies) {
  Kernel kernel;
  std::vector<std::string> order;
  kernel.call_at(Time::from_ms(1), [&](Kernel& k) {
    order.push_back("a");
    k.call_after(Duration{}, [&](Kernel&) { order.push_back("c"); });
  });
  kernel.call_at(Time::from_ms(1), [&](Kernel&) { order.push_back("b"); });
  kernel.run();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Kernel, CancelledTimerNeverFires) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(10), recorder, 1);
  const TimerId doomed = kernel.wake_at(Time::from_ms(20), recorder, 2);
  kernel.wake_at(Time::from_ms(30), recorder, 3);
  EXPECT_EQ(kernel.pending(), 3u);
  EXPECT_TRUE(kernel.is_pending(doomed));
  EXPECT_TRUE(kernel.cancel(doomed));
  EXPECT_FALSE(kernel.is_pending(doomed));
  EXPECT_FALSE(kernel.cancel(doomed)) << "a second cancel is a no-op";
  EXPECT_EQ(kernel.pending(), 2u);
  kernel.run();
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"1@10", "3@30"}));
  EXPECT_EQ(kernel.events_processed(), 2u);
}

TEST(Kernel, StaleIdDoesNotCancelTheTimerThatReusedItsSlot) {
  Kernel kernel;
  Recorder recorder;
  const TimerId first = kernel.wake_at(Time::from_ms(1), recorder, 1);
  kernel.run();
  const TimerId second = kernel.wake_at(Time::from_ms(2), recorder, 2);
  EXPECT_EQ(first.slot, second.slot) << "the slot is recycled";
  EXPECT_FALSE(kernel.cancel(first));
  EXPECT_TRUE(kernel.is_pending(second));
  kernel.run();
  EXPECT_EQ(recorder.log.back(), "2@2");
}

TEST(Kernel, CancelledFunctionIsReleased) {
  Kernel kernel;
  auto shared = std::make_shared<int>(0);
  const TimerId id = kernel.call_at(Time::from_ms(5), [shared](Kernel&) { ++*shared; });
  EXPECT_EQ(shared.use_count(), 2);
  kernel.cancel(id);
  EXPECT_EQ(shared.use_count(), 1) << "the cancelled action's captures are destroyed";
  kernel.run();
  EXPECT_EQ(*shared, 0);
}

TEST(Kernel, RunUntilIncludesEventsExactlyAtTheLimit) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(100), recorder, 1);
  kernel.wake_at(Time::from_ms(101), recorder, 2);
  EXPECT_EQ(kernel.run_until(Time::from_ms(100)), RunStatus::reached_limit);
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"1@100"}));
  EXPECT_EQ(kernel.now(), Time::from_ms(100));
  EXPECT_EQ(kernel.next_event_time(), Time::from_ms(101));
}

TEST(Kernel, RunUntilAdvancesTheClockToTheLimit) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(10), recorder, 1);
  kernel.wake_at(Time::from_ms(500), recorder, 2);
  EXPECT_EQ(kernel.run_until(Time::from_ms(250)), RunStatus::reached_limit);
  EXPECT_EQ(kernel.now(), Time::from_ms(250));
  // Scheduling relative to the advanced clock uses the limit, not the last event.
  kernel.wake_after(Duration::milliseconds(5), recorder, 3);
  kernel.run();
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"1@10", "3@255", "2@500"}));
}

TEST(Kernel, RunUntilOnEmptyQueueAdvancesAndReportsDrained) {
  Kernel kernel;
  EXPECT_EQ(kernel.run_until(Time::from_ms(42)), RunStatus::drained);
  EXPECT_EQ(kernel.now(), Time::from_ms(42));
  EXPECT_EQ(kernel.run(), RunStatus::drained);
  EXPECT_EQ(kernel.now(), Time::from_ms(42)) << "run() without a limit leaves the clock alone";
}

TEST(Kernel, StepProcessesOneEventAtATime) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(1), recorder, 1);
  kernel.wake_at(Time::from_ms(2), recorder, 2);
  EXPECT_TRUE(kernel.step());
  EXPECT_EQ(kernel.now(), Time::from_ms(1));
  EXPECT_TRUE(kernel.step());
  EXPECT_FALSE(kernel.step());
  EXPECT_EQ(recorder.log.size(), 2u);
}

TEST(Kernel, StopFromInsideAHandlerReturnsAfterThatEvent) {
  Kernel kernel;
  Recorder recorder;
  kernel.wake_at(Time::from_ms(1), recorder, 1);
  kernel.call_at(Time::from_ms(2), [](Kernel& k) { k.stop(); });
  kernel.wake_at(Time::from_ms(3), recorder, 3);
  EXPECT_EQ(kernel.run(), RunStatus::stopped);
  EXPECT_EQ(kernel.now(), Time::from_ms(2));
  EXPECT_EQ(kernel.run(), RunStatus::drained) << "a later run continues where it stopped";
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"1@1", "3@3"}));
}

TEST(Kernel, StopConditionIsCheckedAfterEveryEvent) {
  Kernel kernel;
  Recorder recorder;
  for (std::uint64_t tag = 1; tag <= 10; ++tag) {
    kernel.wake_at(Time::from_ms(static_cast<std::int64_t>(tag)), recorder, tag);
  }
  kernel.set_stop_condition([](const Kernel& k) { return k.events_processed() == 4; });
  EXPECT_EQ(kernel.run(), RunStatus::stopped);
  EXPECT_EQ(recorder.log.size(), 4u);
}

TEST(Kernel, SchedulingInThePastIsAProgrammingError) {
  Kernel kernel;
  Recorder recorder;
  kernel.run_until(Time::from_ms(100));
  EXPECT_THROW(kernel.wake_at(Time::from_ms(99), recorder), std::logic_error);
}

// A process that keeps re-arming itself with random delays, cancelling some timers of others.
class Churn : public Process {
 public:
  Churn(std::uint64_t seed, int processes) : draws_(seed, "churn") {
    timers_.resize(static_cast<std::size_t>(processes));
  }
  void start(Kernel& kernel) {
    for (std::size_t i = 0; i < timers_.size(); ++i) arm(kernel, i);
  }
  void on_wake(Kernel& kernel, std::uint64_t tag) override {
    trace += std::to_string(tag) + "@" + std::to_string(kernel.now().ms()) + " ";
    if (kernel.now().ms() > 200'000) return;
    arm(kernel, tag);
    const std::size_t victim = draws_.below(timers_.size());
    if (draws_.bernoulli(0.1) && kernel.cancel(timers_[victim])) arm(kernel, victim);
  }
  std::string trace;

 private:
  void arm(Kernel& kernel, std::size_t index) {
    timers_[index] = kernel.wake_after(
        Duration::milliseconds(static_cast<std::int64_t>(draws_.exponential(1000.0))), *this,
        index);
  }
  RandomStream draws_;
  std::vector<TimerId> timers_;
};

TEST(Kernel, SameSeedGivesIdenticalEventSequence) {
  auto run = [](std::uint64_t seed) {
    Kernel kernel;
    Churn churn(seed, 50);
    churn.start(kernel);
    kernel.run();
    return churn.trace;
  };
  const std::string first = run(7);
  EXPECT_GT(first.size(), 10'000u);
  EXPECT_EQ(first, run(7));
  EXPECT_NE(first, run(8));
}

TEST(Kernel, HeapOrderHoldsUnderRandomLoad) {
  Kernel kernel;
  RandomStream draws(1, "heap");
  std::vector<std::int64_t> fired;
  class Log : public Process {
   public:
    explicit Log(std::vector<std::int64_t>& out) : out_(out) {}
    void on_wake(Kernel& k, std::uint64_t) override { out_.push_back(k.now().ms()); }
    std::vector<std::int64_t>& out_;
  } log(fired);
  std::vector<TimerId> ids;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back(
        kernel.wake_at(Time::from_ms(static_cast<std::int64_t>(draws.below(100000))), log));
  }
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < ids.size(); i += 3) cancelled += kernel.cancel(ids[i]) ? 1 : 0;
  kernel.run();
  EXPECT_EQ(fired.size(), 5000 - cancelled);
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
}

}  // namespace
}  // namespace deploysim::engine
