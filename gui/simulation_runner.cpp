#include "simulation_runner.hpp"

#include <algorithm>
#include <utility>

#include "engine/trace.hpp"
#include "io/notification_log.hpp"
#include "simulation/moments.hpp"
#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::gui {

/// Keeps the trace records of the current slice; the runner hands the per-host ones to the UI
/// as host histories and drops the rest.
class HostTraceSink : public engine::TraceSink {
 public:
  void write(const engine::TraceRecord& record) override { pending.push_back(record); }
  std::vector<engine::TraceRecord> pending;
};

SimulationRunner::SimulationRunner(QObject* parent) : QObject(parent) {}
SimulationRunner::~SimulationRunner() = default;

void SimulationRunner::setup(std::shared_ptr<const spec::Scenario> scenario, quint64 seed,
                             quint64 generation) {
  // The old simulation refers to the old scenario: destroy it first.
  simulation_.reset();
  scenario_ = std::move(scenario);
  generation_ = generation;
  seed_ = seed;
  moments_ =
      std::make_shared<const simulation::Moments>(simulation::find_moments(*scenario_, seed));
  restart();
  restarted_ = false;
  publish();
}

void SimulationRunner::set_faults(std::shared_ptr<const verify::Schedule> schedule) {
  schedule_ = std::move(schedule);
}

void SimulationRunner::restart() {
  simulation_.reset();
  trace_ = std::make_unique<HostTraceSink>();
  // A plan records what its run reached: every re-run (a step back) needs a fresh one.
  faults_ = schedule_ ? std::make_unique<model::FaultPlan>(verify::make_plan(*schedule_)) : nullptr;
  simulation_ =
      std::make_unique<simulation::Simulation>(*scenario_, seed_, trace_.get(), faults_.get());
  initial_hosts_ = simulation_->world().fleet().size();
  catalog_.reset();
  rows_sent_ = 0;
  story_sent_ = 0;
  notifications_sent_ = 0;
  final_summary_.reset();
  restarted_ = true;
}

void SimulationRunner::seek_event(quint64 events) {
  if (!simulation_) return;
  if (events < simulation_->world().kernel().events_processed()) restart();
  simulation::run_to_event(*simulation_, events);
  publish();
}

void SimulationRunner::seek_time(qint64 time_ms) {
  if (!simulation_) return;
  if (time_ms < simulation_->now().ms()) restart();
  simulation_->run_until(engine::Time::from_ms(time_ms));
  publish();
}

void SimulationRunner::advance_to(qint64 time_ms) {
  if (!simulation_) return;
  simulation_->run_until(engine::Time::from_ms(time_ms));
  publish();
}

void SimulationRunner::step_one() {
  if (!simulation_) return;
  simulation_->step();
  publish();
}

std::string SimulationRunner::short_clock(engine::Time t) const {
  // Runs over several days need the date to keep the log readable; the year is noise.
  const bool several_days = scenario_->clock.end.ms() > 86'400'000;
  std::string text = simulation::clock_text(*scenario_, t, several_days && scenario_->clock.wall);
  if (several_days && scenario_->clock.wall && text.size() > 5) text = text.substr(5);
  return text;
}

void SimulationRunner::publish() {
  auto snapshot = std::make_shared<Snapshot>();
  const auto& world = simulation_->world();
  const auto& fleet = world.fleet();
  snapshot->generation = generation_;
  snapshot->now_ms = simulation_->now().ms();
  snapshot->end_ms = simulation_->end().ms();
  snapshot->events = world.kernel().events_processed();
  // Finished once every event of the run has run, those due at the end time included.
  snapshot->finished = simulation_->finished() && snapshot->events >= moments_->events;
  snapshot->restarted = std::exchange(restarted_, false);
  snapshot->moments = moments_;
  snapshot->clock_text = simulation::clock_text(*scenario_, simulation_->now(), true);

  // Names change only when hosts are added (surge and canary replicas).
  if (!catalog_ || catalog_->host_names.size() != fleet.size()) {
    auto catalog = std::make_shared<FleetCatalog>();
    for (const auto& version : fleet.versions()) catalog->version_names.push_back(version.name);
    for (const auto& group : fleet.groups()) {
      catalog->group_names.push_back(group.name);
      catalog->group_hosts.push_back(group.hosts);
    }
    catalog->host_names.reserve(fleet.size());
    for (std::size_t h = 0; h < fleet.size(); ++h) {
      catalog->host_names.push_back(fleet.host_name(static_cast<model::HostIndex>(h)));
    }
    for (const auto& flag : fleet.flags()) catalog->flag_names.push_back(flag.name);
    catalog->initial_hosts = initial_hosts_;
    catalog_ = std::move(catalog);
  }
  snapshot->catalog = catalog_;

  const std::size_t shown_flags = std::min<std::size_t>(fleet.flags().size(), 32);
  snapshot->hosts.resize(fleet.size());
  for (std::size_t h = 0; h < fleet.size(); ++h) {
    const auto host = static_cast<model::HostIndex>(h);
    HostTile& tile = snapshot->hosts[h];
    tile.version = fleet.version_of(host);
    tile.health = static_cast<std::uint8_t>(fleet.health_of(host));
    tile.misbehaving = fleet.is_misbehaving(host);
    for (std::size_t f = 0; f < shown_flags; ++f) {
      if (fleet.flag_on_for(static_cast<std::uint32_t>(f), host)) tile.flags_on |= 1u << f;
    }
  }
  snapshot->misbehaving_hosts = fleet.totals().misbehaving_hosts;
  snapshot->serving_hosts = fleet.totals().serving_hosts;
  snapshot->live_hosts = fleet.totals().live_hosts;
  snapshot->loss_rate_usd_per_min = fleet.loss_rate_per_min();
  snapshot->error_rate = fleet.error_rate();

  // Only what is new since the previous snapshot: the UI appends.
  const auto& series = simulation_->timeseries();
  snapshot->columns = series.columns;
  snapshot->new_rows.resize(series.columns.size());
  for (std::size_t c = 0; c < series.values.size(); ++c) {
    const auto& column = series.values[c];
    snapshot->new_rows[c].assign(column.begin() + static_cast<std::ptrdiff_t>(rows_sent_),
                                 column.end());
  }
  rows_sent_ = series.rows();

  const auto& story = world.story();
  for (; story_sent_ < story.size(); ++story_sent_) {
    const auto& record = story[story_sent_];
    snapshot->new_story.push_back(
        {record.time.ms(), short_clock(record.time), record.event, simulation::describe(record)});
    if (record.event != "alert_fired" && record.event != "alert_resolved") continue;
    // The alert's transition as operators read it in a Nagios or Icinga log (the lines of
    // `deploysim run --notifications`), right after the event that caused it, so that the log
    // reads the same however the run was sliced.
    const std::vector<engine::TraceRecord> so_far(
        story.begin(), story.begin() + static_cast<std::ptrdiff_t>(story_sent_) + 1);
    const auto transitions = io::notifications(*scenario_, so_far);
    if (transitions.size() > notifications_sent_) {
      notifications_sent_ = transitions.size();
      const auto& n = transitions.back();
      snapshot->new_story.push_back(
          {n.time.ms(), short_clock(n.time), "notification", io::notification_line(*scenario_, n)});
    }
  }
  for (const auto& record : trace_->pending) {
    if (record.subject.empty()) continue;
    if (const auto host = fleet.find_host(record.subject)) {
      snapshot->new_host_events.push_back(
          {*host, record.time.ms(),
           short_clock(record.time) + "  " + simulation::describe(record)});
    }
  }
  trace_->pending.clear();

  // result() samples the monitor once more, which must not happen in the middle of a run (it
  // would draw noise and evaluate alerts): only the finished run is summarised.
  if (snapshot->finished && !final_summary_) {
    final_summary_ = simulation_->result().summary.to_json();
  }
  snapshot->final_summary = final_summary_;
  Q_EMIT snapshot_ready(std::move(snapshot));
}

}  // namespace deploysim::gui
