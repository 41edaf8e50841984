#include "delivery/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <stdexcept>

#include "delivery/cancel.hpp"
#include "delivery/limits.hpp"
#include "delivery/parallel.hpp"
#include "delivery/quantities.hpp"
#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "experiment/runner.hpp"
#include "experiment/statistics.hpp"

namespace deploysim::delivery {

namespace {

using engine::Distribution;
using engine::Duration;

constexpr double kDayMs = 86'400'000.0;

// Event kinds, in the low bits of a wake-up tag; the rest is an index.
enum Kind : std::uint64_t { kArrival, kReady, kTrain, kApproved, kDeployDone, kRecovered };
constexpr std::uint64_t tag(Kind kind, std::uint64_t index = 0) {
  return index << 3 | kind;
}

// A delay far past any horizon the limits allow ends the same as an infinite one, so heavy tails
// are cut there instead of overflowing the clock.
Duration ms(double value) {
  constexpr double kFarFutureMs = 1e15;  // about 31,700 years
  return Duration::milliseconds(std::llround(std::min(value, kFarFutureMs)));
}

struct Change {
  double commit_s = 0.0;
  bool defect = false;
  double loss_per_minute = 0.0;
  bool rework = false;  // its fix follows an incident in production
  bool latent = false;  // ships dead or test code
};

// A latent defect in production: woken by the `wake_at`-th deployment unless cleaned up first.
struct Latent {
  std::int64_t wake_at = 0;
  double cleanup_s = 0.0;
  std::uint64_t change = 0;
  bool operator>(const Latent& other) const {
    return wake_at != other.wake_at ? wake_at > other.wake_at : change > other.change;
  }
};

// One production lane: a release in rollout or in incident holds it.
struct Lane {
  std::vector<std::uint64_t> releasing;
  const DefectiveRelease* stopped_run = nullptr;
  const DefectiveRelease* escaped_run = nullptr;
  double release_start_s = 0.0;
  bool busy = false;
};

const std::size_t kGate = 0;  // offsets from the number of stages in `found`
const std::size_t kProduction = 1;

class PipelineModel : public engine::Process {
 public:
  PipelineModel(const PipelineConfig& config, std::uint64_t seed, const std::atomic<bool>* stop)
      : c_(config),
        stop_(stop),
        arrivals_(seed, "pipeline/arrivals"),
        change_key_(engine::stream_key(seed, "pipeline/change")),
        release_(seed, "pipeline/release"),
        incident_(seed, "pipeline/incident"),
        latent_(seed, "pipeline/latent"),
        mean_size_(config.change_size.mean()) {
    out_.found.assign(config.stages.size() + 2, DefectTally{});
    lanes_.assign(static_cast<std::size_t>(config.production_lanes), Lane{});
    lane_ = &lanes_.front();
    out_.cost_curve.assign(cost_curve_edges_days().size(), DefectTally{});
  }

  PipelineRun run() {
    kernel_.wake_after(ms(arrivals_.exponential(kDayMs / c_.changes_per_day)), *this,
                       tag(kArrival));
    if (c_.cadence == ReleaseCadence::train)
      kernel_.wake_after(c_.train_interval, *this, tag(kTrain));
    run_until_or_cancelled(kernel_, engine::Time::zero() + c_.horizon, stop_);
    fill_days();
    out_.dora = dora_metrics(out_.deployments, c_.horizon.to_seconds() / 86'400.0);
    std::int64_t changes = 0;
    for (const auto& d : out_.deployments) changes += d.changes;
    out_.mean_changes_per_deployment =
        out_.deployments.empty()
            ? 0.0
            : static_cast<double>(changes) / static_cast<double>(out_.deployments.size());
    out_.events_processed = kernel_.events_processed();
    const double end_s = c_.horizon.to_seconds();
    out_.latent_pool_at_end = std::count_if(latent_pool_.begin(), latent_pool_.end(),
                                            [&](const Latent& l) { return l.cleanup_s > end_s; });
    return std::move(out_);
  }

  void on_wake(engine::Kernel& kernel, std::uint64_t t) override {
    const auto index = t >> 3;
    switch (static_cast<Kind>(t & 7)) {
      case kArrival:
        arrive(kernel);
        break;
      case kReady:
        waiting_.push_back(index);
        maybe_release(kernel);
        break;
      case kTrain:
        train_due_ = true;
        kernel.wake_after(c_.train_interval, *this, tag(kTrain));
        maybe_release(kernel);
        break;
      case kApproved:
        gate_pending_ = false;
        approved_ = true;
        maybe_release(kernel);
        break;
      case kDeployDone:
        lane_ = &lanes_[index];
        deploy_done(kernel);
        break;
      case kRecovered:
        lanes_[index].busy = false;
        maybe_release(kernel);
        break;
    }
  }

 private:
  void arrive(engine::Kernel& kernel) {
    const std::uint64_t index = changes_.size();
    engine::RandomStream stream(engine::member_stream_key(change_key_, index));
    Change change;
    change.commit_s = kernel.now().to_seconds();
    const double size = c_.change_size.sample(stream);
    const double p = 1.0 - std::pow(1.0 - c_.defect_probability, size / mean_size_);
    change.defect = stream.bernoulli(p);
    change.loss_per_minute = c_.loss_per_minute_usd.sample(stream);
    ++out_.changes;
    if (change.defect) ++out_.defects;
    // The stages run back to back on unlimited runners, so the change's time to release is known.
    const bool production_only = change.defect && c_.production_only_share > 0.0 &&
                                 stream.bernoulli(c_.production_only_share);
    double delay = 0.0;
    for (std::size_t k = 0; k < c_.stages.size(); ++k) {
      const auto& stage = c_.stages[k];
      const double stay = stage.duration.sample(stream);
      delay += stay;
      const double catches =
          stage.testing == StageTesting::plain
              ? stage.catch_probability
              : stage_catch_probability(stage, production_only, stay / 3'600'000.0);
      if (change.defect && stream.bernoulli(catches)) {
        change.defect = false;
        ++out_.defects_caught_in_stages;
        found(k, stage_fix_cost(c_.defect_cost, stage.name), delay / kDayMs, 0.0);
        delay += c_.fix_time.sample(stream);
      }
    }
    // Drawn last, so that a pipeline without latent defects draws as it always did.
    if (c_.latent.ship_probability > 0.0)
      change.latent = stream.bernoulli(c_.latent.ship_probability);
    changes_.push_back(change);
    kernel.wake_after(ms(delay), *this, tag(kReady, index));
    kernel.wake_after(ms(arrivals_.exponential(kDayMs / c_.changes_per_day)), *this, tag(kArrival));
  }

  void maybe_release(engine::Kernel& kernel) {
    if (waiting_.empty()) return;
    const auto free =
        std::find_if(lanes_.begin(), lanes_.end(), [](const Lane& l) { return !l.busy; });
    if (free == lanes_.end()) return;
    lane_ = &*free;
    switch (c_.cadence) {
      case ReleaseCadence::continuous:
        break;
      case ReleaseCadence::train:
        if (!train_due_) return;
        train_due_ = false;
        break;
      case ReleaseCadence::gated:
        if (!approved_) {
          if (!gate_pending_) {
            gate_pending_ = true;
            kernel.wake_after(ms(gate_wait_ms(kernel)), *this, tag(kApproved));
          }
          return;
        }
        approved_ = false;
        if (c_.gate_stop_probability > 0.0) gate_review(kernel);
        if (waiting_.empty()) return;
        break;
    }
    // Everything waiting goes out together: the batch.
    lane_->releasing.assign(waiting_.begin(), waiting_.end());
    waiting_.clear();
    lane_->busy = true;
    if (c_.production) {
      plan_production_release(kernel);
      return;
    }
    kernel.wake_after(ms(c_.deploy_time.sample(release_)), *this, tag(kDeployDone, lane_index()));
  }

  // With a calibrated production stage, each defective change in the release draws one of the
  // scenario's defective runs: one stopped run stops the release (the canary sees each defect
  // independently); otherwise the first escaped run says how much of the fleet is exposed and
  // how soon it is noticed. A stopped release frees production when its rollback is done.
  void plan_production_release(engine::Kernel& kernel) {
    const auto& p = *c_.production;
    lane_->stopped_run = nullptr;
    lane_->escaped_run = nullptr;
    for (auto i : lane_->releasing) {
      if (!changes_[i].defect) continue;
      const auto& run = p.defective[release_.below(p.defective.size())];
      if (run.stopped) {
        if (lane_->stopped_run == nullptr) lane_->stopped_run = &run;
      } else if (lane_->escaped_run == nullptr) {
        lane_->escaped_run = &run;
      }
    }
    const double duration_s = lane_->stopped_run != nullptr
                                  ? lane_->stopped_run->busy_s
                                  : p.clean_deploy_s[release_.below(p.clean_deploy_s.size())];
    lane_->release_start_s = kernel.now().to_seconds();
    kernel.wake_after(ms(duration_s * 1000.0), *this, tag(kDeployDone, lane_index()));
  }

  void deploy_done(engine::Kernel& kernel) {
    const double now = kernel.now().to_seconds();
    std::vector<std::uint64_t> defective;
    for (auto i : lane_->releasing) {
      if (changes_[i].defect) defective.push_back(i);
    }
    // The canary sees each defect independently; one caught stops the whole release.
    bool canary_stopped = lane_->stopped_run != nullptr;
    if (!c_.production) {
      for (std::size_t d = 0; d < defective.size(); ++d) {
        if (release_.bernoulli(c_.canary_catch_probability)) canary_stopped = true;
      }
    }
    if (canary_stopped) {
      ++out_.canary_rollbacks;
      canary_rollback_times_s_.push_back(now);
      if (lane_->stopped_run != nullptr) record_stopped_exposure(defective);
      for (auto i : defective) {
        found(c_.stages.size() + kProduction, c_.defect_cost.production,
              (now - changes_[i].commit_s) / 86'400.0, stopped_share_usd(i));
      }
      for (auto i : lane_->releasing) {
        if (changes_[i].defect) {
          changes_[i].rework = true;
          refix(kernel, i, 0.0);
        } else {
          waiting_.push_back(i);
        }
      }
      lane_->releasing.clear();
      lane_->busy = false;
      maybe_release(kernel);
      return;
    }
    DeploymentRecord record;
    record.finished_s = now;
    record.changes = static_cast<std::int64_t>(lane_->releasing.size());
    for (auto i : lane_->releasing) {
      if (!changes_[i].defect) record.lead_times_s.push_back(now - changes_[i].commit_s);
      record.rework = record.rework || changes_[i].rework;
    }
    deployed(kernel);
    if (defective.empty()) {
      out_.deployments.push_back(std::move(record));
      lane_->releasing.clear();
      lane_->busy = false;
      maybe_release(kernel);
      return;
    }
    // An incident: detect, diagnose (longer for bigger releases), repair.
    ++out_.incidents;
    const double growth =
        1.0 + c_.diagnosis_growth_per_change * static_cast<double>(record.changes - 1);
    double detect_ms = c_.detect_time.sample(incident_);
    // The scenario's monitoring and people decide detection; its blast radius scales the loss.
    double exposed_share = 1.0;
    if (lane_->escaped_run != nullptr) {
      if (!std::isnan(lane_->escaped_run->detect_s))
        detect_ms = lane_->escaped_run->detect_s * 1000.0;
      exposed_share = lane_->escaped_run->exposed_share;
    }
    const double recovery_ms =
        detect_ms + c_.diagnose_time.sample(incident_) * growth + c_.repair_time.sample(incident_);
    double loss_rate = 0.0;
    for (auto i : defective) loss_rate += changes_[i].loss_per_minute;
    loss_rate *= exposed_share;
    record.failed = true;
    record.recovered_s = now + recovery_ms / 1000.0;
    record.loss_usd = loss_rate * recovery_ms / 60'000.0;
    out_.loss_usd += record.loss_usd;
    out_.incident_log.push_back({.start_s = now,
                                 .detected_s = now + detect_ms / 1000.0,
                                 .recovered_s = *record.recovered_s,
                                 .changes = record.changes,
                                 .defective_changes = static_cast<std::int64_t>(defective.size()),
                                 .loss_usd = record.loss_usd,
                                 .stopped_by_canary = false});
    out_.deployments.push_back(std::move(record));
    for (auto i : defective) {
      found(c_.stages.size() + kProduction, c_.defect_cost.production,
            (now + detect_ms / 1000.0 - changes_[i].commit_s) / 86'400.0,
            changes_[i].loss_per_minute * exposed_share * recovery_ms / 60'000.0);
      changes_[i].rework = true;
      refix(kernel, i, recovery_ms);
    }
    lane_->releasing.clear();
    kernel.wake_after(ms(recovery_ms), *this, tag(kRecovered, lane_index()));
  }

  // A release the production stage stopped still hurt the hosts it reached, for as long as the
  // scenario took to roll it back.
  void record_stopped_exposure(const std::vector<std::uint64_t>& defective) {
    const auto& run = *lane_->stopped_run;
    if (!(run.exposure_s > 0.0) || !(run.exposed_share > 0.0)) return;
    double loss_rate = 0.0;
    for (auto i : defective) loss_rate += changes_[i].loss_per_minute;
    const double start = lane_->release_start_s + run.incident_offset_s;
    IncidentRecord incident;
    incident.start_s = start;
    incident.recovered_s = start + run.exposure_s;
    incident.detected_s = std::isnan(run.detect_s) ? incident.recovered_s : start + run.detect_s;
    incident.changes = static_cast<std::int64_t>(lane_->releasing.size());
    incident.defective_changes = static_cast<std::int64_t>(defective.size());
    incident.loss_usd = loss_rate * run.exposed_share * run.exposure_s / 60.0;
    incident.stopped_by_canary = true;
    out_.loss_usd += incident.loss_usd;
    out_.incident_log.push_back(incident);
  }

  // The per-day series, from the deployment and incident logs.
  void fill_days() {
    const auto day_count = static_cast<std::size_t>(std::ceil(c_.horizon.to_seconds() / 86'400.0));
    auto& days = out_.days;
    days.assign(day_count, PipelineDay{});
    auto day_of = [&](double t) {
      return std::min(day_count - 1, static_cast<std::size_t>(std::max(0.0, t / 86'400.0)));
    };
    std::vector<std::vector<double>> lead_times(day_count);
    for (const auto& d : out_.deployments) {
      const auto i = day_of(d.finished_s);
      ++days[i].deployments;
      days[i].changes_deployed += d.changes;
      if (d.failed) ++days[i].failed_deployments;
      lead_times[i].insert(lead_times[i].end(), d.lead_times_s.begin(), d.lead_times_s.end());
    }
    for (const auto& incident : out_.incident_log) {
      const auto i = day_of(incident.start_s);
      if (!incident.stopped_by_canary) ++days[i].incidents;
      days[i].loss_usd += incident.loss_usd;
    }
    for (double t : canary_rollback_times_s_) ++days[day_of(t)].canary_rollbacks;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < day_count; ++i) {
      days[i].day = static_cast<std::int64_t>(i);
      days[i].mean_batch_size = days[i].deployments > 0
                                    ? static_cast<double>(days[i].changes_deployed) /
                                          static_cast<double>(days[i].deployments)
                                    : nan;
      days[i].lead_time_median_s = experiment::exact_quantile(std::move(lead_times[i]), 0.5);
    }
  }

  std::uint64_t lane_index() const { return static_cast<std::uint64_t>(lane_ - lanes_.data()); }

  // Prices a defect found at `place` (see defect_places) and files it under its curve bin.
  void found(std::size_t place, const FixCost& costs, double days, double incident_usd) {
    const double cost = defect_cost_usd(c_.defect_cost, costs, days, incident_usd);
    const auto& edges = cost_curve_edges_days();
    std::size_t bin = 0;
    while (bin + 1 < edges.size() && days >= edges[bin + 1]) ++bin;
    for (auto* tally : {&out_.found[place], &out_.cost_curve[bin]}) {
      ++tally->defects;
      tally->cost_usd += cost;
      tally->days_sum += days;
      tally->incident_usd += incident_usd;
    }
    out_.defect_cost_usd += cost;
  }

  // The share of a stopped release's exposure that change `i` caused.
  double stopped_share_usd(std::uint64_t i) const {
    if (lane_->stopped_run == nullptr) return 0.0;
    const auto& run = *lane_->stopped_run;
    if (!(run.exposure_s > 0.0) || !(run.exposed_share > 0.0)) return 0.0;
    return changes_[i].loss_per_minute * run.exposed_share * run.exposure_s / 60.0;
  }

  // The gate's decision takes gate_delay of the release engineer's working time.
  double gate_wait_ms(const engine::Kernel& kernel) {
    const double work_ms = c_.gate_delay.sample(release_);
    if (!c_.gate_hours) return work_ms;
    const double now_s = kernel.now().to_seconds();
    return (working_time_done_s(*c_.gate_hours, now_s, work_ms / 1000.0) - now_s) * 1000.0;
  }

  // The release engineer reads the release and sends back each defect they spot.
  void gate_review(engine::Kernel& kernel) {
    const double now_s = kernel.now().to_seconds();
    std::vector<std::uint64_t> kept;
    for (auto i : waiting_) {
      if (changes_[i].defect && release_.bernoulli(c_.gate_stop_probability)) {
        found(c_.stages.size() + kGate, stage_fix_cost(c_.defect_cost, "gate"),
              (now_s - changes_[i].commit_s) / 86'400.0, 0.0);
        refix(kernel, i, 0.0);
      } else {
        kept.push_back(i);
      }
    }
    waiting_.assign(kept.begin(), kept.end());
  }

  // A deployment reached production: it may wake latent defects shipped before it, and its own
  // dead or test code joins the pool.
  void deployed(engine::Kernel& kernel) {
    if (c_.latent.ship_probability <= 0.0) return;
    ++deploy_count_;
    const double now = kernel.now().to_seconds();
    while (!latent_pool_.empty() && latent_pool_.front().wake_at <= deploy_count_) {
      std::pop_heap(latent_pool_.begin(), latent_pool_.end(), std::greater<>{});
      const Latent woken = latent_pool_.back();
      latent_pool_.pop_back();
      if (woken.cleanup_s > now) wake(woken);
    }
    for (auto i : lane_->releasing) {
      if (!changes_[i].latent || changes_[i].defect) continue;
      changes_[i].latent = false;
      ++out_.latent_shipped;
      Latent l{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<double>::infinity(),
               i};
      const double w = c_.latent.wake_probability;
      if (w > 0.0) {
        const double later =
            w >= 1.0 ? 1.0 : 1.0 + std::floor(std::log(1.0 - latent_.uniform01()) / std::log1p(-w));
        l.wake_at = deploy_count_ + static_cast<std::int64_t>(std::min(later, 1e15));
      }
      if (c_.latent.cleanup_per_day > 0.0) {
        l.cleanup_s = now + latent_.exponential(86'400.0 / c_.latent.cleanup_per_day);
      }
      latent_pool_.push_back(l);
      std::push_heap(latent_pool_.begin(), latent_pool_.end(), std::greater<>{});
    }
  }

  // A woken latent defect is an incident of its own: noticed, diagnosed and repaired like a
  // one-change release. It does not hold the release lane (the code is already out).
  void wake(const Latent& latent) {
    const double recovery_ms = c_.detect_time.sample(latent_) + c_.diagnose_time.sample(latent_) +
                               c_.repair_time.sample(latent_);
    const double loss = changes_[latent.change].loss_per_minute * recovery_ms / 60'000.0;
    ++out_.latent_incidents;
    out_.latent_loss_usd += loss;
  }

  // A defective change is reverted (after `after_ms`), fixed and comes back clean, keeping its
  // commit time so that its lead time includes the detour.
  void refix(engine::Kernel& kernel, std::uint64_t index, double after_ms) {
    changes_[index].defect = false;
    kernel.wake_after(ms(after_ms + c_.fix_time.sample(release_)), *this, tag(kReady, index));
  }

  const PipelineConfig& c_;
  const std::atomic<bool>* stop_;
  engine::Kernel kernel_;
  engine::RandomStream arrivals_;
  std::uint64_t change_key_;
  engine::RandomStream release_;
  engine::RandomStream incident_;
  engine::RandomStream latent_;
  double mean_size_;
  std::vector<Latent> latent_pool_;  // a min-heap on wake_at
  std::int64_t deploy_count_ = 0;
  std::vector<Change> changes_;
  std::vector<std::uint64_t> waiting_;

  std::vector<double> canary_rollback_times_s_;
  std::vector<Lane> lanes_;
  Lane* lane_ = nullptr;  // the lane whose release is in hand
  bool train_due_ = false;
  bool gate_pending_ = false;
  bool approved_ = false;
  PipelineRun out_;
};

// The gate, latent defects and prices.
void validate_extensions(const PipelineConfig& c) {
  auto fail = [](const std::string& message) { throw std::invalid_argument(message); };
  if (!is_probability(c.gate_stop_probability)) {
    fail("gate stop probability: expected a probability in [0, 1], found " +
         short_number(c.gate_stop_probability));
  }
  if (c.gate_hours) {
    const auto& h = *c.gate_hours;
    if (h.start.ms() < 0 || h.end.ms() > 86'400'000 || h.end <= h.start) {
      fail("gate working hours: expected a start before the end within one day, found " +
           engine::format_duration(h.start) + " to " + engine::format_duration(h.end));
    }
  }
  if (c.production_lanes < 1) {
    fail("production lanes: expected at least 1, found " + std::to_string(c.production_lanes));
  }
  if (!is_probability(c.production_only_share)) {
    fail("production-only share: expected a probability in [0, 1], found " +
         short_number(c.production_only_share));
  }
  for (const auto& stage : c.stages) {
    if (!is_probability(stage.replay_coverage) || !is_probability(stage.traffic_share) ||
        !(stage.surface_per_hour >= 0.0) || !std::isfinite(stage.surface_per_hour)) {
      fail("stage \"" + stage.name +
           "\" testing: expected replay coverage and traffic share in [0, 1] and a surface "
           "rate >= 0");
    }
  }
  for (auto [name, p] : {std::pair{"latent ship probability", c.latent.ship_probability},
                         std::pair{"latent wake probability", c.latent.wake_probability}}) {
    if (!is_probability(p)) {
      fail(std::string(name) + ": expected a probability in [0, 1], found " + short_number(p));
    }
  }
  if (!(c.latent.cleanup_per_day >= 0.0) || !std::isfinite(c.latent.cleanup_per_day)) {
    fail("latent clean-up rate: expected a rate >= 0 per day, found " +
         short_number(c.latent.cleanup_per_day));
  }
  validate(c.defect_cost);
}

}  // namespace

PipelineConfig default_pipeline() {
  const auto d = [](const char* text) {
    return Distribution::parse(text, Distribution::Unit::duration);
  };
  PipelineConfig c;
  c.change_size = Distribution::parse("lognormal(50, 1)", Distribution::Unit::number);
  c.loss_per_minute_usd = Distribution::parse("lognormal(500, 1)", Distribution::Unit::number);
  c.stages = {{"build", d("lognormal(10min, 0.3)"), 0.2},
              {"tests", d("lognormal(30min, 0.3)"), 0.5},
              {"staging", d("lognormal(2h, 0.5)"), 0.3}};
  c.fix_time = d("lognormal(4h, 0.5)");
  c.gate_delay = d("lognormal(1d, 0.5)");
  c.deploy_time = d("lognormal(30min, 0.3)");
  c.detect_time = d("lognormal(15min, 0.7)");
  c.diagnose_time = d("lognormal(20min, 0.5)");
  c.repair_time = d("lognormal(10min, 0.5)");
  return c;
}

void validate(const PipelineConfig& c) {
  auto fail = [](const std::string& message) { throw std::invalid_argument(message); };
  if (!(c.changes_per_day > 0.0) || !std::isfinite(c.changes_per_day)) {
    fail("change rate: expected a rate > 0 per day, found " + short_number(c.changes_per_day));
  }
  if (!(c.change_size.mean() > 0.0)) fail("change size: expected a mean size > 0");
  if (!is_probability(c.defect_probability)) {
    fail("defect probability: expected a probability in [0, 1], found " +
         short_number(c.defect_probability));
  }
  for (const auto& stage : c.stages) {
    if (!is_probability(stage.catch_probability)) {
      fail("stage \"" + stage.name + "\" catch: expected a probability in [0, 1], found " +
           short_number(stage.catch_probability));
    }
  }
  if (!is_probability(c.canary_catch_probability)) {
    fail("canary catch: expected a probability in [0, 1], found " +
         short_number(c.canary_catch_probability));
  }
  if (c.cadence == ReleaseCadence::train && c.train_interval.ms() <= 0) {
    fail("train interval: expected a duration > 0, found 0");
  }
  if (!(c.diagnosis_growth_per_change >= 0.0 &&
        c.diagnosis_growth_per_change <= kMaxDiagnosisGrowth)) {
    fail("diagnosis growth: expected a growth per change from 0 to " +
         short_number(kMaxDiagnosisGrowth) + ", found " +
         short_number(c.diagnosis_growth_per_change));
  }
  validate_extensions(c);
  if (c.horizon.ms() <= 0) fail("horizon: expected a duration > 0, found 0");
  if (c.production && (c.production->clean_deploy_s.empty() || c.production->defective.empty())) {
    fail("production stage: not calibrated (see calibrate_production)");
  }
  double trip_ms = c.production ? c.production->mean_clean_deploy_s * 1000.0 : c.deploy_time.mean();
  for (const auto& stage : c.stages) trip_ms += stage.duration.mean();
  if (static_cast<double>(c.horizon.ms()) < trip_ms) {
    fail("horizon: " + engine::format_duration(c.horizon) +
         " is shorter than one change's mean trip through the stages and a deploy (" +
         engine::format_duration(ms(trip_ms)) + ")");
  }
  check_work(c);
}

double stage_catch_probability(const PipelineStage& stage, bool production_only, double hours) {
  switch (stage.testing) {
    case StageTesting::synthetic:
      return production_only ? 0.0 : stage.catch_probability;
    case StageTesting::replay:
      return production_only ? stage.catch_probability * stage.replay_coverage
                             : stage.catch_probability;
    case StageTesting::staging:
      return -std::expm1(-stage.surface_per_hour * stage.traffic_share * hours);
    case StageTesting::plain:
      break;
  }
  return stage.catch_probability;
}

std::vector<std::string> defect_places(const PipelineConfig& config) {
  std::vector<std::string> places;
  for (const auto& stage : config.stages) places.push_back(stage.name);
  places.emplace_back("gate");
  places.emplace_back("production");
  return places;
}

const std::vector<double>& cost_curve_edges_days() {
  static const std::vector<double> edges = {0.0, 1.0 / 24.0, 4.0 / 24.0, 1.0, 3.0, 7.0, 30.0};
  return edges;
}

double working_time_done_s(const WorkingHours& hours, double from_s, double work_s) {
  const double day_s = 86'400.0;
  const double open_s = hours.start.to_seconds();
  const double close_s = hours.end.to_seconds();
  double t = from_s;
  double left = work_s;
  // Walk day by day; validate() guarantees every week has working time, so this ends.
  for (;;) {
    const double day_start = std::floor(t / day_s) * day_s;
    const auto weekday = static_cast<std::int64_t>(day_start / day_s) % 7;  // 0: Monday
    if (hours.weekends || weekday < 5) {
      const double begin = std::max(t, day_start + open_s);
      const double end = day_start + close_s;
      if (begin < end) {
        if (left <= end - begin) return begin + left;
        left -= end - begin;
      }
    }
    t = day_start + day_s;
  }
}

PipelineRun simulate_pipeline(const PipelineConfig& config, std::uint64_t seed,
                              const std::atomic<bool>* stop) {
  validate(config);
  PipelineModel model(config, seed, stop);
  return model.run();
}

std::vector<PipelineReplica> run_pipeline_replicas(const PipelineConfig& config,
                                                   std::int64_t replicas, int threads,
                                                   std::uint64_t base_seed, PipelineRun* first_run,
                                                   const std::atomic<bool>* stop) {
  validate(config);
  if (replicas < 1) throw std::invalid_argument("replicas: expected at least 1");
  check_replicas(replicas);
  std::vector<PipelineReplica> out(static_cast<std::size_t>(replicas));
  for_each_replica(replicas, threads, stop, [&](std::int64_t r) {
    auto run = simulate_pipeline(
        config, experiment::replica_seed(base_seed, static_cast<std::uint64_t>(r)), stop);
    auto& slot = out[static_cast<std::size_t>(r)];
    slot.dora = run.dora;
    slot.incidents = run.incidents;
    slot.canary_rollbacks = run.canary_rollbacks;
    slot.loss_usd = run.loss_usd;
    slot.mean_changes_per_deployment = run.mean_changes_per_deployment;
    slot.events_processed = run.events_processed;
    slot.found = run.found;
    slot.cost_curve = run.cost_curve;
    slot.defect_cost_usd = run.defect_cost_usd;
    slot.latent_incidents = run.latent_incidents;
    slot.latent_loss_usd = run.latent_loss_usd;
    if (r == 0 && first_run != nullptr) *first_run = std::move(run);
  });
  return out;
}

}  // namespace deploysim::delivery
