#include "engine/kernel.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace deploysim::engine {

namespace {
// Children per heap node. A 4-ary heap is shallower than a binary one and its four children
// share a cache line, which makes pops markedly cheaper for queues of thousands of entries.
constexpr std::size_t kArity = 4;
}  // namespace

Kernel::Kernel() = default;

TimerId Kernel::wake_at(Time when, Process& process, std::uint64_t tag) {
  if (when < now_) {
    throw std::logic_error("cannot schedule an event in the past: at " + std::to_string(when.ms()) +
                           " ms while the clock reads " + std::to_string(now_.ms()) + " ms");
  }
  std::uint32_t slot = free_slot_;
  if (slot == UINT32_MAX) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{nullptr, 0, 0, UINT32_MAX});
  } else {
    free_slot_ = slots_[slot].next_free;
  }
  Slot& s = slots_[slot];
  s.process = &process;
  s.tag = tag;
  ++live_timers_;
  push(Entry{when.ms(), next_sequence_++, slot, s.generation});
  return TimerId{slot, s.generation};
}

TimerId Kernel::call_at(Time when, std::function<void(Kernel&)> action) {
  std::uint32_t index;
  if (functions_.free_indices.empty()) {
    index = static_cast<std::uint32_t>(functions_.actions.size());
    functions_.actions.push_back(std::move(action));
  } else {
    index = functions_.free_indices.back();
    functions_.free_indices.pop_back();
    functions_.actions[index] = std::move(action);
  }
  return wake_at(when, functions_, index);
}

void Kernel::FunctionCaller::on_wake(Kernel& kernel, std::uint64_t index) {
  // Move the action out first: it may schedule more actions and so reallocate the vector.
  auto action = std::move(actions[index]);
  actions[index] = nullptr;
  free_indices.push_back(static_cast<std::uint32_t>(index));
  action(kernel);
}

bool Kernel::cancel(TimerId id) {
  if (!is_pending(id)) return false;
  Slot& s = slots_[id.slot];
  if (s.process == &functions_) {
    functions_.actions[s.tag] = nullptr;
    functions_.free_indices.push_back(static_cast<std::uint32_t>(s.tag));
  }
  // The queue entry stays where it is and is skipped when it reaches the top: removing it from
  // the middle of the heap would cost a search.
  release_slot(id.slot);
  return true;
}

bool Kernel::is_pending(TimerId id) const {
  return id.valid() && id.slot < slots_.size() && slots_[id.slot].process != nullptr &&
         slots_[id.slot].generation == id.generation;
}

void Kernel::release_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.process = nullptr;
  ++s.generation;
  s.next_free = free_slot_;
  free_slot_ = slot;
  --live_timers_;
}

void Kernel::drop_stale_top() {
  while (!heap_.empty() && is_stale(heap_.front())) pop();
}

Time Kernel::next_event_time() {
  drop_stale_top();
  return heap_.empty() ? Time::max() : Time::from_ms(heap_.front().time_ms);
}

bool Kernel::step() {
  drop_stale_top();
  if (heap_.empty()) return false;
  fire_top();
  return true;
}

void Kernel::fire_top() {
  const Entry entry = pop();
  Slot& s = slots_[entry.slot];
  Process* process = s.process;
  const std::uint64_t tag = s.tag;
  // Free the slot before waking: a process that reschedules itself reuses it while it is cached.
  release_slot(entry.slot);
  now_ = Time::from_ms(entry.time_ms);
  ++events_processed_;
  process->on_wake(*this, tag);
}

RunStatus Kernel::run_until(Time limit) {
  stop_requested_ = false;
  for (;;) {
    drop_stale_top();
    if (heap_.empty()) {
      if (limit != Time::max() && limit > now_) now_ = limit;
      return RunStatus::drained;
    }
    if (heap_.front().time_ms > limit.ms()) {
      if (limit > now_) now_ = limit;
      return RunStatus::reached_limit;
    }
    fire_top();
    if (stop_requested_ || (stop_condition_ && stop_condition_(*this))) {
      stop_requested_ = false;
      return RunStatus::stopped;
    }
  }
}

void Kernel::reserve(std::size_t count) {
  heap_.reserve(count);
  slots_.reserve(count);
}

void Kernel::push(Entry entry) {
  heap_.push_back(entry);
  sift_up(heap_.size() - 1, entry);
}

void Kernel::sift_up(std::size_t hole, Entry entry) {
  // Move parents down into the hole until the entry's place is found.
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!earlier(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

Kernel::Entry Kernel::pop() {
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  if (heap_.empty()) return top;
  // The last entry is usually due late, so it belongs near the bottom: rather than compare it
  // with the children at every level, let the hole at the root sink along the earliest child to
  // a leaf, then let the entry rise from there (Floyd's heap-sort trick).
  const std::size_t size = heap_.size();
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= size) break;
    std::size_t best = first;
    if (first + kArity <= size) {
      static_assert(kArity == 4, "a full node's children are compared as two pairs");
      best = earlier_of(earlier_of(first, first + 1), earlier_of(first + 2, first + 3));
    } else {
      for (std::size_t c = first + 1; c < size; ++c) best = earlier_of(best, c);
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  sift_up(hole, last);
  return top;
}

}  // namespace deploysim::engine
