#pragma once
// The progress deadline both rolling updates share (a Deployment's progressDeadlineSeconds, and
// the same bound on a playbook run): the rollout has failed when nothing moved for that long.
// Progress is only a timestamp, so that the hot paths (a pod becoming available) cost one store;
// the timer wakes at the first possible deadline and sleeps on while progress keeps moving it.

#include <cstdint>

#include "engine/kernel.hpp"
#include "engine/time.hpp"

namespace deploysim::strategy {

class ProgressDeadline {
 public:
  /// The timer tag the owning process receives; above any host index, which is below 2^32.
  static constexpr std::uint64_t kTag = std::uint64_t{1} << 40;

  explicit ProgressDeadline(engine::Duration limit) : limit_(limit) {}

  /// Records progress now and arms the timer for `owner`.
  void arm(engine::Kernel& kernel, engine::Process& owner);
  void progress(engine::Time now) { last_progress_ = now; }
  /// On the timer: true when nothing moved for the whole limit; otherwise wakes `owner` again at
  /// the deadline the latest progress gives.
  bool exceeded(engine::Kernel& kernel, engine::Process& owner);

 private:
  engine::Duration limit_;
  engine::Time last_progress_;
};

}  // namespace deploysim::strategy
