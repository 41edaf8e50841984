#include "run_handle.hpp"

#include <QCoreApplication>
#include <QEventLoop>
#include <QMetaObject>

#include "simulation_runner.hpp"
#include "spec/scenario.hpp"

Q_DECLARE_METATYPE(std::shared_ptr<const deploysim::gui::Snapshot>)
Q_DECLARE_METATYPE(std::shared_ptr<const deploysim::spec::Scenario>)
Q_DECLARE_METATYPE(std::shared_ptr<const deploysim::verify::Schedule>)

namespace deploysim::gui {

RunHandle::RunHandle(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const Snapshot>>();
  qRegisterMetaType<std::shared_ptr<const spec::Scenario>>();
  qRegisterMetaType<std::shared_ptr<const verify::Schedule>>();
  runner_ = new SimulationRunner;
  runner_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, runner_, &QObject::deleteLater);
  connect(runner_, &SimulationRunner::snapshot_ready, this, &RunHandle::receive,
          Qt::QueuedConnection);
  thread_.start();
}

RunHandle::~RunHandle() {
  thread_.quit();
  thread_.wait();
}

void RunHandle::setup(std::shared_ptr<const spec::Scenario> scenario, std::uint64_t seed,
                      std::shared_ptr<const verify::Schedule> faults) {
  ++generation_;
  ++in_flight_;
  // Queued before the setup, so the runner has it when the run starts.
  QMetaObject::invokeMethod(runner_, "set_faults", Qt::QueuedConnection,
                            Q_ARG(std::shared_ptr<const deploysim::verify::Schedule>, faults));
  QMetaObject::invokeMethod(runner_, "setup", Qt::QueuedConnection,
                            Q_ARG(std::shared_ptr<const deploysim::spec::Scenario>, scenario),
                            Q_ARG(quint64, seed), Q_ARG(quint64, generation_));
}

void RunHandle::advance_to(std::int64_t time_ms) {
  ++in_flight_;
  QMetaObject::invokeMethod(runner_, "advance_to", Qt::QueuedConnection, Q_ARG(qint64, time_ms));
}

void RunHandle::step_one() {
  ++in_flight_;
  QMetaObject::invokeMethod(runner_, "step_one", Qt::QueuedConnection);
}

void RunHandle::seek_event(std::uint64_t events) {
  ++in_flight_;
  QMetaObject::invokeMethod(runner_, "seek_event", Qt::QueuedConnection, Q_ARG(quint64, events));
}

void RunHandle::seek_time(std::int64_t time_ms) {
  ++in_flight_;
  QMetaObject::invokeMethod(runner_, "seek_time", Qt::QueuedConnection, Q_ARG(qint64, time_ms));
}

void RunHandle::wait_idle() {
  // Sleep in an event loop until the worker's last answer has arrived: polling instead would
  // keep this thread on a core that the worker needs on a busy machine.
  if (!busy()) return;
  QEventLoop loop;
  connect(this, &RunHandle::idle, &loop, &QEventLoop::quit);
  loop.exec();
}

void RunHandle::receive(const std::shared_ptr<const Snapshot>& snapshot) {
  --in_flight_;
  // A snapshot of a run that has since been set up again belongs to nobody.
  if (snapshot->generation == generation_) {
    latest_ = snapshot;
    Q_EMIT this->snapshot(snapshot);
  }
  if (in_flight_ == 0) Q_EMIT idle();
}

}  // namespace deploysim::gui
