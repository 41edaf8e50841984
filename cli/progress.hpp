#pragma once
// Progress of long runs on standard error, and Ctrl-C that stops them cleanly.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace deploysim::cli {

/// Draws "[#####.....] 45%  4,500/10,000 runs  ETA 3 s" on standard error, redrawn at most ten
/// times a second. Silent unless standard error is a terminal and CI is not set, so pipes, logs
/// and CI stay clean.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool quiet);
  ~ProgressBar();
  void update(std::int64_t done, std::int64_t total);
  /// Clears the bar, so what follows starts on a clean line.
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// Installs a Ctrl-C handler for the lifetime of the object: the first Ctrl-C sets the flag that
/// runners poll (runs in flight finish and are written); a second one ends the program at once.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  const std::atomic<bool>* flag() const;
  bool interrupted() const;
};

}  // namespace deploysim::cli
