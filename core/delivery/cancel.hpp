#pragma once
// Cancelling the delivery runners from another thread (Ctrl-C in Python). A raised flag stops the
// replica loop before its next replica and a run's event loop after the event in hand. A cancelled
// run has no meaningful result, so the runners throw Cancelled rather than return part of one.

#include <atomic>
#include <stdexcept>

#include "engine/kernel.hpp"

namespace deploysim::delivery {

/// Thrown by a delivery runner whose stop flag was raised before it finished.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

/// True when `stop` (which may be null: not cancellable) has been raised.
inline bool stop_requested(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

/// `kernel.run_until(limit)` that also returns once `stop` is raised, and then throws Cancelled.
/// Without a flag the loop runs exactly as before: no per-event check is installed.
inline void run_until_or_cancelled(engine::Kernel& kernel, engine::Time limit,
                                   const std::atomic<bool>* stop) {
  if (stop != nullptr) {
    kernel.set_stop_condition([stop](const engine::Kernel&) { return stop_requested(stop); });
  }
  if (kernel.run_until(limit) == engine::RunStatus::stopped && stop_requested(stop)) {
    throw Cancelled();
  }
}

}  // namespace deploysim::delivery
