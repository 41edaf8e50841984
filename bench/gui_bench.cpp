// The fleet view's redraw at classroom scale: a 10,000-host fleet (and 1,000 and 100,000 for
// the trend) painted into a 1920x1080-class QImage, as the widget paints itself every frame.
// 30 frames a second leave 33 ms per frame for everything; the fleet must take a small part.
//   QT_QPA_PLATFORM=offscreen build/dev/bench/gui_bench

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <QObject>
#include <QPainter>
#include <cstdlib>
#include <memory>

#include "fleet_view.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("QT_QPA_PLATFORM") == nullptr) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
