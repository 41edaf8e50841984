#pragma once
// Replicas of the delivery models on several threads. Each replica writes only its own slot and
// the caller combines the slots in replica order afterwards, so a result never depends on the
// thread count.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "delivery/cancel.hpp"

namespace deploysim::delivery {

/// Calls `work(i)` for i in [0, count) on up to `threads` threads (at least one); returns when
/// all are done. Rethrows the first exception a call threw, after the other threads stop. Once
/// `stop` (may be null) is raised no new replica starts, and Cancelled is thrown if any was left.
template <class Work>
void for_each_replica(std::int64_t count, int threads, const std::atomic<bool>* stop,
                      const Work& work) {
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> cancelled{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (std::int64_t i = next++; i < count; i = next++) {
      if (stop_requested(stop)) {
        cancelled = true;
        break;
      }
      try {
        work(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;  // no new replicas
      }
    }
  };
  const auto n = static_cast<std::int64_t>(std::max(1, threads));
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < std::min(n, count); ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  if (cancelled) throw Cancelled();
}

}  // namespace deploysim::delivery
