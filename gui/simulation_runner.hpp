#pragma once
// The worker side of a run: owns the Scenario and the Simulation, advances it in slices on a
// worker thread, and after each slice publishes a Snapshot. Slices only ever call run_until and
// step, so how the UI slices a run (its speed) cannot change the result.

#include <QObject>
#include <cstdint>
#include <memory>
#include <optional>

#include "engine/time.hpp"
#include "model/fault_plan.hpp"
#include "snapshot.hpp"
#include "verify/schedule.hpp"

namespace deploysim::spec {
struct Scenario;
}
namespace deploysim::simulation {
class Simulation;
}

namespace deploysim::gui {

class HostTraceSink;

class SimulationRunner : public QObject {
  Q_OBJECT
 public:
  explicit SimulationRunner(QObject* parent = nullptr);
  ~SimulationRunner() override;

 public Q_SLOTS:
  /// The fault schedule of the runs set up from now on (null: none), for a counterexample.
  void set_faults(std::shared_ptr<const deploysim::verify::Schedule> schedule);
  /// Starts a fresh run of `scenario` with `seed`; publishes the snapshot at time 0.
  void setup(std::shared_ptr<const deploysim::spec::Scenario> scenario, quint64 seed,
             quint64 generation);
  /// Runs until simulated time `time_ms` (capped at the end) and publishes a snapshot.
  void advance_to(qint64 time_ms);
  /// Processes one event and publishes a snapshot.
  void step_one();
  /// Shows the run as it was after `events` events: forward by stepping, backward by setting
  /// the run up again and re-running (a run depends only on its scenario and seed).
  void seek_event(quint64 events);
  /// The same for a simulated time.
  void seek_time(qint64 time_ms);

 Q_SIGNALS:
  void snapshot_ready(std::shared_ptr<const deploysim::gui::Snapshot> snapshot);

 private:
  void publish();
  /// A fresh simulation of the current scenario and seed at time 0.
  void restart();
  /// "09:30:00", or "08-01 09:30:00" for runs longer than a day.
  std::string short_clock(engine::Time t) const;

  std::shared_ptr<const spec::Scenario> scenario_;
  std::unique_ptr<HostTraceSink> trace_;
  std::shared_ptr<const verify::Schedule> schedule_;
  std::unique_ptr<model::FaultPlan> faults_;  // this run's plan, made anew at each restart
  std::unique_ptr<simulation::Simulation> simulation_;
  std::shared_ptr<const FleetCatalog> catalog_;
  std::uint64_t generation_ = 0;
  std::uint64_t seed_ = 0;
  std::shared_ptr<const simulation::Moments> moments_;
  bool restarted_ = false;
  std::size_t initial_hosts_ = 0;
  std::size_t rows_sent_ = 0;
  std::size_t story_sent_ = 0;
  std::size_t notifications_sent_ = 0;
  std::optional<nlohmann::ordered_json> final_summary_;
};

}  // namespace deploysim::gui
