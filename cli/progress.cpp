#include "progress.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "output.hpp"

namespace deploysim::cli {

namespace {

std::atomic<bool> interrupt_requested{false};
void (*previous_handler)(int) = SIG_DFL;

extern "C" void on_interrupt(int) {
  if (interrupt_requested.load()) std::_Exit(2);
  interrupt_requested.store(true);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, bool quiet)
    : label_(std::move(label)),
      enabled_(!quiet && ::isatty(STDERR_FILENO) && std::getenv("CI") == nullptr),
      started_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  std::string eta = "";
  if (done > 0 && done < total) {
    const double remaining =
        elapsed / static_cast<double>(done) * static_cast<double>(total - done);
    eta = "  ETA " + std::to_string(static_cast<long long>(remaining + 0.5)) + " s";
  }
  std::fprintf(stderr, "\r%s [%s] %3d%%  %s/%s runs%s   ", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100.0),
               thousands(static_cast<std::uint64_t>(done)).c_str(),
               thousands(static_cast<std::uint64_t>(total)).c_str(), eta.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

InterruptGuard::InterruptGuard() {
  interrupt_requested.store(false);
  previous_handler = std::signal(SIGINT, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_handler);
}

const std::atomic<bool>* InterruptGuard::flag() const {
  return &interrupt_requested;
}

bool InterruptGuard::interrupted() const {
  return interrupt_requested.load();
}

}  // namespace deploysim::cli
