#pragma once
// The UI thread's handle on one run: a SimulationRunner living on its own QThread. Requests are
// queued to the worker; at most one is in flight, so the UI never floods the worker and always
// knows whether the latest snapshot is current.

#include <QObject>
#include <QThread>
#include <cstdint>
#include <memory>

#include "snapshot.hpp"
#include "verify/schedule.hpp"

namespace deploysim::spec {
struct Scenario;
}

namespace deploysim::gui {

class SimulationRunner;

class RunHandle : public QObject {
  Q_OBJECT
 public:
  explicit RunHandle(QObject* parent = nullptr);
  ~RunHandle() override;

  /// Starts a fresh run; earlier requests' snapshots are dropped when they arrive.
  /// `faults`, if given, is the fault schedule the run follows (a counterexample's replay).
  void setup(std::shared_ptr<const spec::Scenario> scenario, std::uint64_t seed,
             std::shared_ptr<const verify::Schedule> faults = nullptr);
  void advance_to(std::int64_t time_ms);
  void step_one();
  /// The run as it was after `events` events, or at `time_ms`; backwards re-runs it.
  void seek_event(std::uint64_t events);
  void seek_time(std::int64_t time_ms);
  /// Whether a request is still being worked on.
  bool busy() const { return in_flight_ > 0; }
  const std::shared_ptr<const Snapshot>& latest() const { return latest_; }
  /// Processes events until the worker has answered every request (tests, screenshots).
  void wait_idle();

 Q_SIGNALS:
  void snapshot(std::shared_ptr<const deploysim::gui::Snapshot> snapshot);
  /// Every request has been answered.
  void idle();

 private:
  void receive(const std::shared_ptr<const Snapshot>& snapshot);

  QThread thread_;
  SimulationRunner* runner_ = nullptr;  // lives on thread_, deleted when it finishes
  std::uint64_t generation_ = 0;
  int in_flight_ = 0;
  std::shared_ptr<const Snapshot> latest_;
};

}  // namespace deploysim::gui
