#include "strategy/progress_deadline.hpp"

namespace deploysim::strategy {

void ProgressDeadline::arm(engine::Kernel& kernel, engine::Process& owner) {
  progress(kernel.now());
  kernel.wake_after(limit_, owner, kTag);
}

bool ProgressDeadline::exceeded(engine::Kernel& kernel, engine::Process& owner) {
  const engine::Time due = last_progress_ + limit_;
  if (kernel.now() >= due) return true;
  kernel.wake_at(due, owner, kTag);
  return false;
}

}  // namespace deploysim::strategy
