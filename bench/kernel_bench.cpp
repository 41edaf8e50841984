// Event-kernel throughput: "timeout churn". 1,000 processes each wait an exponential delay
// (mean 1 s), wake, and wait again, for 2,000,000 events. The same model runs three ways:
//
//   kernel           deploysim::engine::Kernel, one Process serving all 1,000 timers by tag
//   kernel_cancel    the same, and on each event, with probability 0.1, another process's
//                    pending timer is cancelled and re-armed
//   baseline         a bare std::priority_queue loop of the first model: the same draws from
//                    the same RandomStream, int64 millisecond times, ties broken by a sequence
//                    number as in the kernel
//
// Machines differ, so the figure to compare across them is the ratio kernel/baseline, printed
// last. Figures are recorded in docs/performance.md.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "engine/time.hpp"

namespace {

using deploysim::engine::Duration;
using deploysim::engine::Kernel;
using deploysim::engine::Process;
using deploysim::engine::RandomStream;
using deploysim::engine::TimerId;

constexpr std::size_t kProcesses = 1'000;
constexpr std::uint64_t kEvents = 2'000'000;
constexpr double kMeanDelayMs = 1'000.0;
constexpr double kCancelProbability = 0.1;
constexpr std::uint64_t kSeed = 42;

std::int64_t draw_delay_ms(RandomStream& draws) {
  return static_cast<std::int64_t>(draws.exponential(kMeanDelayMs));
}

// All 1,000 processes as one Process object; the tag is the process index.
template <bool kCancel>
class Churn final : public Process {
 public:
  Churn() : draws_(kSeed, "bench/churn") {
    if constexpr (kCancel) timers_.resize(kProcesses);
  }

  void start(Kernel& kernel) {
    for (std::size_t i = 0; i < kProcesses; ++i) arm(kernel, i);
  }

  void on_wake(Kernel& kernel, std::uint64_t tag) override {
    if (kernel.events_processed() == kEvents) {
      kernel.stop();
      return;
    }
    arm(kernel, tag);
    if constexpr (kCancel) {
      if (draws_.bernoulli(kCancelProbability)) {
        // Some other process: draw among the other 999 and skip over this one.
        std::uint64_t victim = draws_.below(kProcesses - 1);
        if (victim >= tag) ++victim;
        if (kernel.cancel(timers_[victim])) arm(kernel, victim);
      }
    }
  }

 private:
  void arm(Kernel& kernel, std::uint64_t index) {
    const TimerId id =
        kernel.wake_after(Duration::milliseconds(draw_delay_ms(draws_)), *this, index);
    if constexpr (kCancel) timers_[index] = id;
  }

  RandomStream draws_;
  std::vector<TimerId> timers_;
};

template <bool kCancel>
void BM_kernel_churn(benchmark::State& state) {
  std::int64_t end_ms = 0;
  for (auto _ : state) {
    Kernel kernel;
    kernel.reserve(2 * kProcesses);
    Churn<kCancel> churn;
    churn.start(kernel);
    kernel.run();
    if (kernel.events_processed() != kEvents) state.SkipWithError("wrong number of events");
    end_ms = kernel.now().ms();
    benchmark::DoNotOptimize(end_ms);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kEvents));
  state.counters["end_ms"] = static_cast<double>(end_ms);
}

// The baseline: the churn model with nothing but a priority queue of 24-byte entries.
void BM_baseline_churn(benchmark::State& state) {
  struct Entry {
    std::int64_t time_ms;
    std::uint64_t sequence;
    std::uint32_t process;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time_ms > b.time_ms || (a.time_ms == b.time_ms && a.sequence > b.sequence);
    }
  };
  std::int64_t end_ms = 0;
  for (auto _ : state) {
    RandomStream draws(kSeed, "bench/churn");
    std::vector<Entry> storage;
    storage.reserve(2 * kProcesses);
    std::priority_queue<Entry, std::vector<Entry>, Later> queue(Later{}, std::move(storage));
    std::uint64_t sequence = 0;
    for (std::uint32_t i = 0; i < kProcesses; ++i)
      queue.push({draw_delay_ms(draws), sequence++, i});
    std::int64_t now_ms = 0;
    for (std::uint64_t events = 1;; ++events) {
      const Entry entry = queue.top();
      queue.pop();
      now_ms = entry.time_ms;
      if (events == kEvents) break;
      queue.push({now_ms + draw_delay_ms(draws), sequence++, entry.process});
    }
    end_ms = now_ms;
    benchmark::DoNotOptimize(end_ms);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kEvents));
  state.counters["end_ms"] = static_cast<double>(end_ms);
}

BENCHMARK(BM_kernel_churn<false>)
    ->Name("kernel")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_kernel_churn<true>)
    ->Name("kernel_cancel")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_baseline_churn)
    ->Name("baseline")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);

// Prints as usual and keeps, per benchmark, the median over repetitions (or the single run).
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  struct Figures {
    double items_per_second = 0;
    double end_ms = 0;
  };

  explicit CapturingReporter(bool color) : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (!median && run.run_type != Run::RT_Iteration) continue;
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Iteration && medians_.count(name) != 0) continue;
      if (median) medians_.insert(name);
      Figures& f = figures[name];
      f.items_per_second = counter(run, "items_per_second");
      f.end_ms = counter(run, "end_ms");
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::map<std::string, Figures> figures;

 private:
  static double counter(const Run& run, const std::string& name) {
    const auto it = run.counters.find(name);
    return it == run.counters.end() ? 0.0 : it->second.value;
  }
  std::set<std::string> medians_;
};

}  // namespace

int main(int argc, char** argv) {
  // Repetitions of the three benchmarks run in random order, so that a burst of load on a shared
  // machine slows kernel and baseline alike instead of skewing the ratio. Flags given on the
  // command line come later and win.
  std::vector<char*> args(argv, argv + argc);
  char interleave[] = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, interleave);
  int arg_count = static_cast<int>(args.size());
  benchmark::Initialize(&arg_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(arg_count, args.data())) return 1;
  CapturingReporter reporter(isatty(STDOUT_FILENO) != 0);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto& figures = reporter.figures;
  std::printf("\nmodel: %zu processes, exponential delays (mean %.0f ms), %llu events per run\n",
              kProcesses, kMeanDelayMs, static_cast<unsigned long long>(kEvents));
  const auto line = [&](const char* name, const char* label) {
    const auto it = figures.find(name);
    if (it != figures.end()) {
      std::printf("%-44s %6.2f M events/s\n", label, it->second.items_per_second / 1e6);
    }
  };
  line("kernel", "kernel:");
  line("kernel_cancel", "kernel, 10% of events cancel and re-arm:");
  line("baseline", "baseline (bare std::priority_queue):");
  std::printf(
      "bytes per pending event: %zu (queue entry + slot; cancelled entries linger "
      "until due)\n",
      Kernel::kBytesPerPendingEvent);

  const auto kernel = figures.find("kernel");
  const auto baseline = figures.find("baseline");
  if (kernel == figures.end() || baseline == figures.end() ||
      baseline->second.items_per_second <= 0) {
    std::printf("ratio kernel/baseline: not measured (run both kernel and baseline)\n");
    return 0;
  }
  if (kernel->second.end_ms != baseline->second.end_ms) {
    // Same draws and tie-breaking must give the same simulated end time.
    std::printf("warning: kernel and baseline disagree on the end time (%.0f vs %.0f ms)\n",
                kernel->second.end_ms, baseline->second.end_ms);
  }
  std::printf("ratio kernel/baseline: %.2f\n",
              kernel->second.items_per_second / baseline->second.items_per_second);
  std::fflush(stdout);
  return 0;
}
