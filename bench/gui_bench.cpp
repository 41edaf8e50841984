// The fleet view's redraw at classroom scale: a 10,000-host fleet (and 1,000 and 100,000 for
// the trend) painted into a 1920x1080-class QImage, as the widget paints itself every frame.
// 30 frames a second leave 33 ms per frame for everything; the fleet must take a small part.
// BM_PlayingFrame times a whole frame of the playing window (worker, pane update, paint) against
// the 16.7 ms of 60 frames a second; its 100-host run is the baseline for the 10,000-host one.
//   QT_QPA_PLATFORM=offscreen build/dev/bench/gui_bench

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <QObject>
#include <QPainter>
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "fleet_view.hpp"
#include "run_handle.hpp"
#include "run_pane.hpp"
#include "scenario/load.hpp"
#include "simulation_runner.hpp"

namespace {

// A snapshot of the benchmark rolling deploy scaled to `hosts`, taken mid-rollout so that tiles
// show both versions and hosts out of rotation.
std::shared_ptr<const deploysim::gui::Snapshot> mid_rollout(std::int64_t hosts) {
  auto scenario = std::make_shared<deploysim::spec::Scenario>(deploysim::scenario::load_scenario(
      DEPLOYSIM_SOURCE_DIR "/bench/scenarios/rolling_100.json",
      {"fleet.web.hosts=" + std::to_string(hosts),
       "deployment.strategy.batch_size=" + std::to_string(hosts / 10)}));
  deploysim::gui::SimulationRunner runner;
  std::shared_ptr<const deploysim::gui::Snapshot> latest;
  QObject::connect(
      &runner, &deploysim::gui::SimulationRunner::snapshot_ready,
      [&](std::shared_ptr<const deploysim::gui::Snapshot> s) { latest = std::move(s); });
  runner.setup(scenario, 1, 1);
  runner.advance_to(150'000);
  // The snapshot must not outlive its scenario's catalog users: keep the scenario alive too.
  static std::vector<std::shared_ptr<const deploysim::spec::Scenario>> keep;
  keep.push_back(scenario);
  return latest;
}

void BM_FleetRedraw(benchmark::State& state) {
  const auto snapshot = mid_rollout(state.range(0));
  const deploysim::gui::Theme theme = deploysim::gui::make_theme(false);
  QImage image(1100, 650, QImage::Format_ARGB32_Premultiplied);
  deploysim::gui::FleetPainter painter;
  const QFont font = QApplication::font();
  painter.layout(*snapshot, image.rect(), font);
  for (auto _ : state) {
    QPainter p(&image);
    p.setFont(font);
    painter.paint(p, *snapshot, theme);
    p.end();
    benchmark::DoNotOptimize(image.constBits());
  }
  state.counters["hosts_per_tile"] = painter.hosts_per_tile();
  state.counters["tile_px"] = painter.tile_size();
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FleetRedraw)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The worker's side of a frame: a snapshot of every host (advance_to a time already reached
// does no simulation work, only the copy).
void BM_Snapshot(benchmark::State& state) {
  auto scenario = std::make_shared<deploysim::spec::Scenario>(deploysim::scenario::load_scenario(
      DEPLOYSIM_SOURCE_DIR "/bench/scenarios/rolling_100.json",
      {"fleet.web.hosts=" + std::to_string(state.range(0)),
       "deployment.strategy.batch_size=" + std::to_string(state.range(0) / 10)}));
  deploysim::gui::SimulationRunner runner;
  std::size_t hosts = 0;
  QObject::connect(
      &runner, &deploysim::gui::SimulationRunner::snapshot_ready,
      [&](std::shared_ptr<const deploysim::gui::Snapshot> s) { hosts = s->hosts.size(); });
  runner.setup(scenario, 1, 1);
  runner.advance_to(150'000);
  for (auto _ : state) runner.advance_to(150'000);
  state.counters["hosts"] = static_cast<double>(hosts);
}
BENCHMARK(BM_Snapshot)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole FleetView widget (background, layout check, legend, tiles) as Qt paints it.
void BM_FleetViewWidget(benchmark::State& state) {
  deploysim::gui::FleetView view;
  view.resize(1100, 650);
  view.set_snapshot(mid_rollout(state.range(0)));
  QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
  for (auto _ : state) {
    view.render(&image);
    benchmark::DoNotOptimize(image.constBits());
  }
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FleetViewWidget)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A frame while the run plays, all of it: the worker advances the run by a frame's worth of
// simulated time (one second, the default speed of a minute a second at 60 frames a second) and
// copies its snapshot; the pane takes it (fleet view, charts, timeline, event log, read-outs);
// and the whole pane is painted, at 1920x1080, larger than its share of a full-HD window. The
// window holds 60 fps when this stays under 16.7 ms. When the run reaches its end it is set up
// again, outside the timing.
void BM_PlayingFrame(benchmark::State& state) {
  const std::int64_t hosts = state.range(0);
  auto scenario = std::make_shared<deploysim::spec::Scenario>(deploysim::scenario::load_scenario(
      DEPLOYSIM_SOURCE_DIR "/bench/scenarios/rolling_100.json",
      {"fleet.web.hosts=" + std::to_string(hosts),
       "deployment.strategy.batch_size=" + std::to_string(std::max<std::int64_t>(1, hosts / 10))}));
  deploysim::gui::RunPane pane;
  pane.resize(1920, 1080);
  QImage image(pane.size(), QImage::Format_ARGB32_Premultiplied);
  constexpr std::int64_t kFrameSimMs = 1'000;
  std::int64_t now_ms = 0;
  const auto restart = [&] {
    pane.setup(scenario, 1, "bench");
    pane.handle().wait_idle();
    now_ms = 0;
  };
  restart();
  std::int64_t frames = 0;
  for (auto _ : state) {
    if (now_ms >= scenario->clock.end.ms()) {
      state.PauseTiming();
      restart();
      state.ResumeTiming();
    }
    now_ms += kFrameSimMs;
    pane.handle().advance_to(now_ms);
    pane.handle().wait_idle();
    pane.render(&image);
    benchmark::DoNotOptimize(image.constBits());
    ++frames;
  }
  state.counters["sim_s_per_frame"] = static_cast<double>(kFrameSimMs) / 1'000.0;
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlayingFrame)->Arg(100)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("QT_QPA_PLATFORM") == nullptr) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
