#include "strategy/canary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "model/measure.hpp"
#include "model/monitoring.hpp"

namespace deploysim::strategy {

namespace {

using engine::Duration;
using model::Health;
using spec::Behaviour;
using spec::Metric;

// Timer tags.
constexpr std::uint64_t kStepTimer = 1;
constexpr std::uint64_t kMeasureTimer = 2;
constexpr std::uint64_t kAbortScaleDownTimer = 3;

// Argo retries a measurement that errored after a fixed 10 s, not after the metric's interval.
constexpr Duration kErrorRetry = Duration::seconds(10);
// Absorbs the representation error of decimal percentages (0.1 * 3) before rounding replicas.
constexpr double kRoundingSlack = 1e-9;

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text(buffer);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// Metrics that add up over hosts: compared per host against a baseline of another size.
bool is_extensive(Metric metric) {
  return metric == Metric::misbehaving_hosts || metric == Metric::loss_rate_usd_per_min ||
         metric == Metric::hosts_on_target;
}

// Counts are exact; rates and latencies carry the monitoring noise, as the Monitor's samples do.
bool is_noisy(Metric metric) {
  return metric != Metric::misbehaving_hosts && metric != Metric::hosts_on_target;
}

}  // namespace

std::int64_t traffic_routed_canary_pods(std::int64_t n, double weight) {
  if (n <= 0 || weight <= 0.0) return 0;
  if (weight >= 100.0) return n;
  // n * w first: exact for whole percentages, so 29% of 100 is 29 and not 29.000000000000004.
  const double exact = static_cast<double>(n) * weight / 100.0;
  const auto pods = static_cast<std::int64_t>(std::ceil(exact - kRoundingSlack));
  return std::clamp<std::int64_t>(pods, 0, n);
}

CanaryCounts basic_canary_counts(std::int64_t n, double weight, bool surge_allowed) {
  if (n <= 0) return {};
  if (weight <= 0.0) return {0, n};
  if (weight >= 100.0) return {n, 0};
  const double exact = static_cast<double>(n) * weight / 100.0;
  const auto ceil_count = static_cast<std::int64_t>(std::ceil(exact - kRoundingSlack));
  const auto floor_count = static_cast<std::int64_t>(std::floor(exact + kRoundingSlack));
  // Argo's zeroAllowed: a side may round to 0 only for a single replica that cannot surge.
  const bool zero_allowed = n == 1 && !surge_allowed;

  CanaryCounts best;
  bool found = false;
  double best_error = 0.0;  // |100*canary - w*total| over total, compared by cross-multiplying
  std::int64_t best_total = 0;
  for (std::int64_t total : {n, n + 1}) {
    if (total > n && !surge_allowed) continue;
    for (std::int64_t canary : {ceil_count, floor_count}) {
      if (canary > total) continue;
      const std::int64_t stable = total - canary;
      if (!zero_allowed && (canary == 0 || stable == 0)) continue;
      const double error =
          std::abs(100.0 * static_cast<double>(canary) - weight * static_cast<double>(total));
      if (!found) {
        best = {canary, stable};
        best_error = error;
        best_total = total;
        found = true;
        continue;
      }
      // Compare error/total with best_error/best_total without dividing: a tie such as 2/3 vs
      // 1/3 around 50% must be a tie, which the divided doubles are not.
      const double lhs = error * static_cast<double>(best_total);
      const double rhs = best_error * static_cast<double>(total);
      const double slack = 1e-9 * std::max({lhs, rhs, 1.0});
      const bool better = lhs < rhs - slack;
      const bool tie = std::abs(lhs - rhs) <= slack;
      // Ties go to the larger canary; between equal canaries, to the smaller total (no surge).
      if (better ||
          (tie && (canary > best.canary || (canary == best.canary && total < best_total)))) {
        best = {canary, stable};
        best_error = error;
        best_total = total;
      }
    }
  }
  // Always found for n >= 1 and 0 < w < 100: (ceil, n + 1) qualifies with surge; without it,
  // (ceil, n) or (floor = n - 1, n) does, or anything when n = 1 may round to 0.
  return best;
}

CanaryStrategy::CanaryStrategy(model::World& world, const spec::Deployment& deployment,
                               const spec::CanaryParams& params)
    : Strategy(world, deployment),
      params_(params),
      metric_(spec::find_metric(params.analysis.metric).value_or(Metric::error_rate)),
      stable_(world.deployment_hosts()),
      noise_(world.stream("canary/analysis")) {}

void CanaryStrategy::track_new_hosts() {
  const auto size = world_.fleet().size();
  if (role_.size() < size) {
    role_.resize(size, kNone);
    doomed_.resize(size, 0);
  }
}

void CanaryStrategy::set_role(HostIndex host, std::uint8_t role) {
  track_new_hosts();
  role_[host] = role;
}

void CanaryStrategy::start() {
  const auto& fleet = world_.fleet();
  live_stable_ = static_cast<std::int64_t>(stable_.size());
  stable_weight_.clear();
  for (HostIndex h : stable_) {
    stable_weight_.push_back(fleet.weight_of(h));
    set_role(h, kStable);
  }
  next_step();
}

void CanaryStrategy::on_wake(engine::Kernel& kernel, std::uint64_t tag) {
  if (tag == kAbortScaleDownTimer) {
    scale_down_aborted_canary();
    return;
  }
  Strategy::on_wake(kernel, tag);
}

void CanaryStrategy::on_timer(std::uint64_t tag) {
  if (tag == kStepTimer && phase_ == Phase::pausing) next_step();
  if (tag == kMeasureTimer && phase_ == Phase::analysing) measure();
}

void CanaryStrategy::next_step() {
  if (!active()) return;
  if (step_ >= params_.steps.size()) {
    promote_everyone();
    return;
  }
  const auto& step = params_.steps[step_++];
  switch (step.kind) {
    case spec::CanaryStep::Kind::set_weight:
      begin_set_weight(step.weight);
      return;
    case spec::CanaryStep::Kind::pause:
      phase_ = Phase::pausing;
      note("canary_pause",
           "step " + std::to_string(step_) + ": pause " + engine::format_duration(step.duration));
      world_.kernel().wake_after(step.duration, *this, kStepTimer);
      return;
    case spec::CanaryStep::Kind::analysis:
      begin_analysis(step.duration);
      return;
  }
}

HostIndex CanaryStrategy::add_canary_pod(std::size_t index, std::size_t count) {
  auto& fleet = world_.fleet();
  // Spread the pods over the stable hosts, so that they land in the groups (zones) in proportion.
  const HostIndex shadow = stable_[index * stable_.size() / count];
  const HostIndex h = fleet.add_host(fleet.group_of(shadow), fleet.version_of(shadow));
  // With a router a ready pod gets traffic only once the step sets the weights.
  if (params_.traffic_routed) fleet.set_weight(h, 0.0f);
  set_role(h, kCanary);
  canary_.push_back(h);
  return h;
}

void CanaryStrategy::retire(HostIndex host) {
  track_new_hosts();
  if (updater_.is_updating(host)) {
    doomed_[host] = 1;
    return;
  }
  world_.fleet().set_health(host, Health::terminated);
}

void CanaryStrategy::restore_stable_weights() {
  auto& fleet = world_.fleet();
  for (std::size_t i = 0; i < stable_.size(); ++i) {
    if (fleet.weight_of(stable_[i]) != stable_weight_[i]) {
      fleet.set_weight(stable_[i], stable_weight_[i]);
    }
  }
}

void CanaryStrategy::begin_set_weight(double weight) {
  phase_ = Phase::scaling;
  weight_ = weight;
  const auto n = static_cast<std::int64_t>(stable_.size());
  std::int64_t want_canary = 0;
  if (params_.traffic_routed) {
    want_canary = traffic_routed_canary_pods(n, weight);
    want_stable_ = n;
  } else {
    // maxSurge is Argo's default 25% (at least one pod), so a surge pod is always allowed.
    const auto counts = basic_canary_counts(n, weight, true);
    want_canary = counts.canary;
    want_stable_ = counts.stable;
  }
  // Scale up first, as Argo does; scaling the stable down waits for the new pods (scaling_done).
  const auto count = static_cast<std::size_t>(want_canary);
  while (canary_.size() < count) {
    const HostIndex h = add_canary_pod(canary_.size(), count);
    ++pending_;
    updater_.update(h, target_);
  }
  while (canary_.size() > count) {
    retire(canary_.back());
    canary_.pop_back();
  }
  while (live_stable_ < want_stable_) {
    // A stable pod started again takes the slot (and name) of one scaled down earlier.
    const HostIndex h = stable_[static_cast<std::size_t>(live_stable_++)];
    ++pending_;
    updater_.update(h, world_.fleet().version_of(h));
  }
  if (pending_ == 0) scaling_done();
}

void CanaryStrategy::scaling_done() {
  if (!active()) return;
  while (live_stable_ > want_stable_) retire(stable_[static_cast<std::size_t>(--live_stable_)]);
  if (params_.traffic_routed) apply_traffic_weights();
  note("canary_weight", "step " + std::to_string(step_) + ": set_weight " + number_text(weight_) +
                            "%: " + describe_split());
  next_step();
}

void CanaryStrategy::apply_traffic_weights() {
  auto& fleet = world_.fleet();
  restore_stable_weights();
  if (canary_.empty()) return;
  double stable_total = 0.0;
  for (std::size_t i = 0; i < stable_.size(); ++i) {
    if (fleet.is_serving(stable_[i])) stable_total += stable_weight_[i];
  }
  std::int64_t serving = 0;
  for (HostIndex h : canary_) serving += fleet.is_serving(h) ? 1 : 0;
  if (weight_ >= 100.0 || stable_total <= 0.0) {
    // All traffic to the canary: the stable stays scaled up (Argo keeps it at 100%) but idle.
    if (weight_ >= 100.0) {
      for (HostIndex h : stable_) fleet.set_weight(h, 0.0f);
    }
    for (HostIndex h : canary_) {
      fleet.set_weight(h, static_cast<float>(fleet.groups()[fleet.group_of(h)].traffic_weight));
    }
    return;
  }
  // The router sends w% to the canary Service, which spreads it evenly over its ready pods:
  // each gets p*S/((1-p)*c), so that canary / (canary + stable) = p exactly.
  const double p = weight_ / 100.0;
  const double pods =
      static_cast<double>(serving > 0 ? serving : static_cast<std::int64_t>(canary_.size()));
  const auto each = static_cast<float>(p * stable_total / ((1.0 - p) * pods));
  for (HostIndex h : canary_) fleet.set_weight(h, each);
}

std::string CanaryStrategy::describe_split() const {
  const auto& fleet = world_.fleet();
  double canary_weight = 0.0;
  double stable_weight = 0.0;
  std::int64_t crashed = 0;
  for (HostIndex h : canary_) {
    if (fleet.is_serving(h)) canary_weight += fleet.weight_of(h);
    if (fleet.health_of(h) == Health::crashed) ++crashed;
  }
  for (HostIndex h : stable_) {
    if (fleet.is_serving(h)) stable_weight += fleet.weight_of(h);
  }
  const double total = canary_weight + stable_weight;
  std::string text = std::to_string(canary_.size()) + " canary pod(s)";
  if (crashed > 0) text += " (" + std::to_string(crashed) + " crashed)";
  text += ", " + std::to_string(live_stable_) + " stable; canary traffic share " +
          number_text(total > 0.0 ? 100.0 * canary_weight / total : 0.0) + "%";
  return text;
}

void CanaryStrategy::begin_analysis(Duration duration) {
  phase_ = Phase::analysing;
  analysis_end_ = world_.now() + duration;
  failed_ = 0;
  consecutive_errors_ = 0;
  measurements_ = 0;
  const auto& a = params_.analysis;
  std::string rule = a.compare_to_baseline
                         ? "canary <= " + number_text(a.max_ratio_to_baseline) + " x stable"
                         : "canary <= " + number_text(a.max_value);
  if (metric_ == Metric::kpi) {
    rule = a.compare_to_baseline ? "canary >= stable / " + number_text(a.max_ratio_to_baseline)
                                 : "canary >= " + number_text(a.max_value);
  }
  note("canary_analysis", "step " + std::to_string(step_) + ": analysis of " + a.metric + " for " +
                              engine::format_duration(duration) + " every " +
                              engine::format_duration(a.interval) + " (" + rule + ")");
  world_.kernel().wake_after(std::min(a.interval, duration), *this, kMeasureTimer);
}

CanaryStrategy::Reading CanaryStrategy::read_metric(const std::vector<HostIndex>& hosts) {
  // The same measurement monitoring makes of the whole fleet, of these hosts only.
  const model::HostSums sums = world_.fleet().sums_of(hosts, target_);
  Reading reading;
  reading.live = sums.live;
  if (sums.serving == 0) return reading;  // nothing serves: no data, as an empty query result
  reading.value = model::metric_of(sums, metric_, world_.scenario().business.base_latency_ms);
  return reading;
}

CanaryStrategy::Verdict CanaryStrategy::judge(std::string& detail) {
  const auto& fleet = world_.fleet();
  const auto& a = params_.analysis;
  // A pod that crashed on start fails the measurement whatever the metric says: its share of
  // requests fails at the router, and Argo would never call the canary available.
  std::int64_t crashed = 0;
  for (HostIndex h : canary_) crashed += fleet.health_of(h) == Health::crashed ? 1 : 0;
  if (crashed > 0) {
    detail = std::to_string(crashed) + " canary pod(s) crashed";
    return Verdict::failed;
  }
  const Reading canary = read_metric(canary_);
  if (!canary.value) {
    detail = "no canary pod serves: no data";
    return Verdict::error;
  }
  const double noise = world_.scenario().monitoring.noise;
  auto observe = [&](double value) {
    if (noise <= 0.0 || !is_noisy(metric_)) return value;
    return std::max(0.0, value * (1.0 + noise_.normal(0.0, 1.0) * noise));
  };
  const bool higher_is_worse = metric_ != Metric::kpi;
  const double raw = observe(*canary.value);
  if (a.compare_to_baseline) {
    const std::vector<HostIndex> stable(stable_.begin(), stable_.begin() + live_stable_);
    const Reading baseline = read_metric(stable);
    if (baseline.value) {
      // Sums over hosts (misbehaving hosts, loss rate) are compared per host: the canary is a few
      // pods and the baseline many, and Kayenta compares like with like.
      const bool per_host = is_extensive(metric_);
      const double base =
          observe(*baseline.value) / (per_host ? static_cast<double>(baseline.live) : 1.0);
      if (base > 0.0) {
        const double value = raw / (per_host ? static_cast<double>(canary.live) : 1.0);
        const double limit =
            higher_is_worse ? base * a.max_ratio_to_baseline : base / a.max_ratio_to_baseline;
        const bool failed = higher_is_worse ? value > limit : value < limit;
        detail = a.metric + (per_host ? " per host " : " ") + number_text(value) + " vs stable " +
                 number_text(base) + " (ratio " + number_text(value / base) + ", limit " +
                 number_text(a.max_ratio_to_baseline) + ")";
        return failed ? Verdict::failed : Verdict::successful;
      }
    }
    // A baseline of 0 (or none) gives no ratio: fall back to the absolute threshold.
  }
  const bool failed = higher_is_worse ? raw > a.max_value : raw < a.max_value;
  detail = a.metric + " " + number_text(raw) + (higher_is_worse ? " (max " : " (min ") +
           number_text(a.max_value) + ")";
  return failed ? Verdict::failed : Verdict::successful;
}

void CanaryStrategy::measure() {
  const auto& a = params_.analysis;
  std::string detail;
  Verdict verdict = judge(detail);
  // A misleading sample: the canary's pods happened to look like the baseline.
  const model::Fault* misleading =
      world_.faults() != nullptr ? world_.fault_at(model::FaultKind::canary_misleading, "analysis")
                                 : nullptr;
  if (misleading != nullptr) {
    world_.note_fault(*misleading, "the canary analysis reads samples that look healthy");
    verdict = Verdict::successful;
    detail += " (misleading sample)";
  }
  ++measurements_;
  if (verdict == Verdict::failed) ++failed_;
  consecutive_errors_ = verdict == Verdict::error ? consecutive_errors_ + 1 : 0;
  if (world_.tracing()) {
    const char* phase = verdict == Verdict::successful ? "successful"
                        : verdict == Verdict::failed   ? "failed"
                                                       : "error";
    world_.record({world_.now(),
                   "canary_measurement",
                   deployment_.service,
                   {{"phase", std::string(phase)},
                    {"detail", detail},
                    {"failed", std::int64_t{failed_}},
                    {"consecutive_errors", std::int64_t{consecutive_errors_}}}},
                  false);
  }
  switch (verdict) {
    case Verdict::successful:
      break;
    case Verdict::failed:
      // Argo: the metric is Failed once failed > failureLimit; -1 never fails.
      if (a.failure_limit >= 0 && failed_ > a.failure_limit) {
        analysis_failed("measurement " + std::to_string(measurements_) + " failed (" +
                        std::to_string(failed_) + " > failure_limit " +
                        std::to_string(a.failure_limit) + "): " + detail);
        return;
      }
      break;
    case Verdict::error:
      if (consecutive_errors_ > a.consecutive_error_limit) {
        analysis_failed(std::to_string(consecutive_errors_) +
                        " consecutive measurement errors (> consecutive_error_limit " +
                        std::to_string(a.consecutive_error_limit) + "): " + detail);
        return;
      }
      break;
  }
  const engine::Time now = world_.now();
  if (now >= analysis_end_) {
    note("canary_analysis_passed", std::to_string(measurements_) + " measurement(s), " +
                                       std::to_string(failed_) + " failed; last: " + detail);
    next_step();
    return;
  }
  const Duration delay = verdict == Verdict::error ? kErrorRetry : a.interval;
  world_.kernel().wake_after(std::min(delay, analysis_end_ - now), *this, kMeasureTimer);
}

void CanaryStrategy::analysis_failed(const std::string& detail) {
  note("canary_analysis_failed", detail);
  // A failed analysis is a machine noticing the incident, as a kill switch firing is.
  world_.note_detection();
  if (params_.automated_rollback) {
    abort("analysis failed", "automation");
    return;
  }
  // The argo#2866 counterfactual: a failed analysis pauses instead of aborting. The canary keeps
  // its pods and its traffic until a person rolls back (or the run ends).
  finish(DeployOutcome::halted, "analysis failed and automated_rollback is off: paused at " +
                                    number_text(weight_) + "% with " + describe_split());
}

void CanaryStrategy::abort(std::string_view reason, std::string_view who) {
  if (phase_ == Phase::aborted) return;
  auto& fleet = world_.fleet();
  const bool was_active = active();
  phase_ = Phase::aborted;
  std::string how;
  if (params_.traffic_routed) {
    // Weight 0 at once: the router sends nothing more to the canary. Its pods are left running
    // (out of rotation) for abortScaleDownDelaySeconds, then removed.
    for (HostIndex h : canary_) {
      fleet.set_weight(h, 0.0f);
      if (fleet.is_serving(h)) fleet.set_health(h, Health::out_of_rotation);
    }
    restore_stable_weights();
    world_.kernel().wake_after(kAbortScaleDownDelay, *this, kAbortScaleDownTimer);
    how = "canary weight 0, all traffic to the stable; canary pods removed after " +
          engine::format_duration(kAbortScaleDownDelay);
  } else {
    // No router, no weight to set: a rolling update back to the stable. Stable pods scaled down
    // start again, and each one that is ready lets one canary pod go.
    pending_ = 0;
    for (std::int64_t i = 0; i < live_stable_; ++i) {
      pending_ += updater_.is_updating(stable_[static_cast<std::size_t>(i)]) ? 1 : 0;
    }
    const auto n = static_cast<std::int64_t>(stable_.size());
    const std::int64_t restarted = n - live_stable_;
    while (live_stable_ < n) {
      const HostIndex h = stable_[static_cast<std::size_t>(live_stable_++)];
      ++pending_;
      updater_.update(h, fleet.version_of(h));
    }
    if (pending_ == 0) {
      for (HostIndex h : canary_) retire(h);
      canary_.clear();
    }
    how = "basic canary: " + std::to_string(restarted) +
          " stable pod(s) started again, canary pods removed as they become ready";
  }
  const std::string detail =
      "aborted by " + std::string(who) + " (" + std::string(reason) + "): " + how;
  if (was_active) {
    finish(DeployOutcome::rolled_back, detail);
  } else {
    // Paused after a failed analysis (halted): the abort still undoes the canary.
    outcome_ = DeployOutcome::rolled_back;
    note("deploy_rolled_back", detail);
  }
}

void CanaryStrategy::scale_down_aborted_canary() {
  if (canary_.empty()) return;
  const auto count = canary_.size();
  for (HostIndex h : canary_) retire(h);
  canary_.clear();
  note("canary_scaled_down", std::to_string(count) + " aborted canary pod(s) removed");
}

void CanaryStrategy::promote_everyone() {
  auto& fleet = world_.fleet();
  std::int64_t crashed = 0;
  for (HostIndex h : canary_) crashed += fleet.health_of(h) == Health::crashed ? 1 : 0;
  if (crashed > 0) {
    // Argo promotes only an available canary; with crashing pods it waits for
    // progressDeadlineSeconds and marks the rollout Degraded, neither promoting nor aborting.
    finish(DeployOutcome::halted, std::to_string(crashed) +
                                      " canary pod(s) crashed and no analysis caught it: the "
                                      "canary never becomes available, so it is not promoted");
    return;
  }
  phase_ = Phase::promoting;
  note("canary_promoting", "all " + std::to_string(params_.steps.size()) +
                               " step(s) passed: updating the " + std::to_string(stable_.size()) +
                               " stable host(s) to " + deployment_.to + " at once");
  restore_stable_weights();
  pending_ = 0;
  failed_updates_ = 0;
  for (HostIndex h : stable_) {
    ++pending_;
    updater_.update(h, target_);
  }
  live_stable_ = static_cast<std::int64_t>(stable_.size());
  if (pending_ == 0) promotion_done();
}

void CanaryStrategy::promotion_done() {
  phase_ = Phase::promoted;
  for (HostIndex h : canary_) retire(h);
  canary_.clear();
  if (failed_updates_ > 0) {
    finish(DeployOutcome::failed,
           std::to_string(failed_updates_) + " stable host(s) failed to update at promotion");
  } else {
    finish(DeployOutcome::completed, "promoted; canary pods removed");
  }
}

void CanaryStrategy::rollback(std::string_view reason, std::string_view who) {
  switch (phase_) {
    case Phase::scaling:
    case Phase::pausing:
    case Phase::analysing:
      abort(reason, who);
      return;
    case Phase::promoting: {
      // Mid-promotion there is no canary to fall back to: the stable is being replaced. Drop the
      // canary and uninstall like the base rollback; updates still in flight are undone as they
      // land (host_updated).
      phase_ = Phase::promoted;
      rolled_back_after_promotion_ = true;
      for (HostIndex h : canary_) retire(h);
      canary_.clear();
      Strategy::rollback(reason, who);
      note("deploy_rolled_back", "rolled back by " + std::string(who) + " during promotion");
      return;
    }
    case Phase::promoted:
      rolled_back_after_promotion_ = true;
      Strategy::rollback(reason, who);
      return;
    case Phase::waiting:
      Strategy::rollback(reason, who);
      return;
    case Phase::aborted:
      return;
  }
}

void CanaryStrategy::halt() {
  if (active()) finish(DeployOutcome::halted);
}

void CanaryStrategy::host_updated(HostIndex host, bool ok) {
  auto& fleet = world_.fleet();
  if (host < doomed_.size() && doomed_[host] != 0) {
    doomed_[host] = 0;
    fleet.set_health(host, Health::terminated);
    return;
  }
  if (is_canary(host)) {
    if (phase_ == Phase::aborted) {
      // Started after the abort: it joins the others, out of rotation until scaled down.
      if (fleet.is_serving(host)) {
        fleet.set_weight(host, 0.0f);
        fleet.set_health(host, Health::out_of_rotation);
      }
      return;
    }
    if (phase_ == Phase::scaling && --pending_ == 0) scaling_done();
    return;
  }
  // A stable slot: started again (basic canary), promoted, or restored by an abort.
  switch (phase_) {
    case Phase::scaling:
      if (--pending_ == 0) scaling_done();
      return;
    case Phase::promoting:
      if (!ok) ++failed_updates_;
      if (--pending_ == 0) promotion_done();
      return;
    case Phase::aborted:
      if (pending_ > 0) --pending_;
      if (ok && !canary_.empty()) {
        retire(canary_.back());
        canary_.pop_back();
      }
      if (pending_ == 0) {
        for (HostIndex h : canary_) retire(h);
        canary_.clear();
      }
      return;
    case Phase::promoted:
      if (rolled_back_after_promotion_ && fleet.version_of(host) == target_) {
        fleet.set_version(host, fleet.previous_version_of(host));
      }
      return;
    case Phase::waiting:
    case Phase::pausing:
    case Phase::analysing:
      return;
  }
}

}  // namespace deploysim::strategy
