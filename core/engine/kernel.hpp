#pragma once
// The discrete-event kernel: simulated time, a queue of pending wake-ups ordered by
// (time, insertion sequence), cancellable timers, and a run loop.
//
// Processes are callbacks, not C++20 coroutines. A deployment model has millions of short-lived
// waits (a host installing, a probe firing); a callback costs one queue entry, while a coroutine
// frame is a heap allocation per process and its suspension points are hard to cancel or
// inspect from outside. Models keep their own state machines (a host knows whether it is
// draining or installing), which the GUI and Python can read directly.

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/time.hpp"

namespace deploysim::engine {

class Kernel;

/// Something the kernel wakes at a scheduled time. `tag` is whatever the process passed when it
/// scheduled the wake-up (a host index, a step number), so one object can serve many timers.
class Process {
 public:
  virtual ~Process() = default;
  virtual void on_wake(Kernel& kernel, std::uint64_t tag) = 0;
};

/// Identifies one scheduled wake-up, for cancel(). Stale ids are harmless: cancelling a timer
/// that already fired or was cancelled does nothing.
struct TimerId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

/// Why a run loop returned.
enum class RunStatus {
  drained,        ///< no pending events remain
  reached_limit,  ///< the next event is after the time limit
  stopped,        ///< stop() was called or the stop condition held
};

/// The event loop. Not thread-safe: one kernel per simulation, one simulation per thread.
class Kernel {
 public:
  Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  /// Current simulated time: the time of the event being (or last) processed.
  Time now() const { return now_; }

  /// Wakes `process` at `when` (>= now()). Wake-ups at equal times run in the order they were
  /// scheduled. The process must outlive the wake-up or cancel it.
  TimerId wake_at(Time when, Process& process, std::uint64_t tag = 0);
  /// Wakes `process` after `delay` (>= 0).
  TimerId wake_after(Duration delay, Process& process, std::uint64_t tag = 0) {
    return wake_at(now_ + delay, process, tag);
  }
  /// Runs `action` at `when`. Convenient for one-off events (timeline entries, tests); models on a
  /// hot path should prefer Process, which never allocates.
  TimerId call_at(Time when, std::function<void(Kernel&)> action);
  TimerId call_after(Duration delay, std::function<void(Kernel&)> action) {
    return call_at(now_ + delay, std::move(action));
  }

  /// Cancels a pending wake-up; returns false if it already fired or was cancelled.
  bool cancel(TimerId id);
  /// True while the wake-up is scheduled and not yet fired or cancelled.
  bool is_pending(TimerId id) const;

  /// Processes the next event, if any; returns false when none is pending.
  bool step();
  /// Processes every event at or before `limit`, then advances the clock to `limit` (unless
  /// stopped first, in which case the clock stays at the last event).
  RunStatus run_until(Time limit);
  /// Processes events until none remain or the run is stopped.
  RunStatus run() { return run_until(Time::max()); }

  /// Asks the current run loop to return after the event being processed.
  void stop() { stop_requested_ = true; }
  /// A condition checked after every event; the loop stops when it returns true.
  void set_stop_condition(std::function<bool(const Kernel&)> condition) {
    stop_condition_ = std::move(condition);
  }

  /// Events processed so far (cancelled wake-ups are not counted).
  std::uint64_t events_processed() const { return events_processed_; }
  /// Wake-ups scheduled and not yet fired or cancelled.
  std::size_t pending() const { return live_timers_; }
  /// Time of the earliest pending wake-up, or Time::max() when there is none.
  Time next_event_time();
  /// Pre-allocates room for `count` pending wake-ups.
  void reserve(std::size_t count);

 private:
  // A queue entry: 24 bytes. Ties on time are broken by `sequence`, the insertion order.
  struct Entry {
    std::int64_t time_ms;
    std::uint64_t sequence;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  // What to wake; slots are recycled through a free list, and the generation tells a live entry
  // from a stale (cancelled) one. 24 bytes.
  struct Slot {
    Process* process;
    std::uint64_t tag;
    std::uint32_t generation;
    std::uint32_t next_free;
  };

 public:
  /// Memory one pending wake-up takes: its queue entry and its slot.
  static constexpr std::size_t kBytesPerPendingEvent = sizeof(Entry) + sizeof(Slot);

 private:
  // Adapts call_at's function objects to Process; kept off the hot path.
  class FunctionCaller : public Process {
   public:
    void on_wake(Kernel& kernel, std::uint64_t index) override;
    std::vector<std::function<void(Kernel&)>> actions;
    std::vector<std::uint32_t> free_indices;
  };

  static bool earlier(const Entry& a, const Entry& b) {
    // (time, sequence) as one 128-bit number: a compare and a subtract-with-borrow, no branch.
    __extension__ using Key = __int128;
    return (Key{a.time_ms} << 64 | a.sequence) < (Key{b.time_ms} << 64 | b.sequence);
  }
  // Index of the earlier of heap entries i and j, chosen without a branch.
  std::size_t earlier_of(std::size_t i, std::size_t j) const {
    const std::size_t take_j = earlier(heap_[j], heap_[i]);
    return i ^ ((i ^ j) & (0 - take_j));
  }
  bool is_stale(const Entry& entry) const {
    return slots_[entry.slot].generation != entry.generation;
  }
  // The hot-path helpers are defined in kernel.cpp and used only there. They are declared inline
  // so that the run loop absorbs them even in a position-independent build (-fPIC), where GCC
  // otherwise keeps every external function out of line in case another library interposes it.
  inline void push(Entry entry);
  inline Entry pop();
  inline void sift_up(std::size_t hole, Entry entry);
  inline void release_slot(std::uint32_t slot);
  inline void drop_stale_top();
  // Pops the top entry, which must be live, and wakes its process.
  inline void fire_top();

  Time now_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_processed_ = 0;
  std::size_t live_timers_ = 0;
  bool stop_requested_ = false;
  std::vector<Entry> heap_;  // 4-ary min-heap on (time, sequence)
  std::vector<Slot> slots_;
  std::uint32_t free_slot_ = UINT32_MAX;
  FunctionCaller functions_;
  std::function<bool(const Kernel&)> stop_condition_;
};

}  // namespace deploysim::engine
