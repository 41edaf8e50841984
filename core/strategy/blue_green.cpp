#include "strategy/blue_green.hpp"

#include <string>

namespace deploysim::strategy {

namespace {

using engine::Duration;
using model::Health;
using spec::Behaviour;

// Timer tags.
constexpr std::uint64_t kAnalysisEndTimer = 1;
constexpr std::uint64_t kBlueScaleDownTimer = 2;
constexpr std::uint64_t kGreenScaleDownTimer = 3;

}  // namespace

BlueGreenStrategy::BlueGreenStrategy(model::World& world, const spec::Deployment& deployment,
                                     const spec::BlueGreenParams& params)
    : Strategy(world, deployment), params_(params), blue_(world.deployment_hosts()) {}

void BlueGreenStrategy::start() {
  auto& fleet = world_.fleet();
  phase_ = Phase::starting_green;
  for (HostIndex b : blue_) {
    // Each green pod mirrors one blue host: same group (zone), same traffic weight.
    const HostIndex g = fleet.add_host(fleet.group_of(b), fleet.version_of(b));
    fleet.set_weight(g, fleet.weight_of(b));
    green_.push_back(g);
  }
  green_role_.assign(fleet.size(), 0);
  doomed_.assign(fleet.size(), 0);
  for (HostIndex g : green_) green_role_[g] = 1;
  note("green_starting", std::to_string(green_.size()) + " green host(s) starting on " +
                             deployment_.to + " out of rotation beside " +
                             std::to_string(blue_.size()) + " blue");
  pending_ = static_cast<std::int64_t>(green_.size());
  // Preview pods end their start out of rotation: they take no production traffic until the switch.
  for (HostIndex g : green_) updater_.update(g, target_, /*into_rotation=*/false);
  if (pending_ == 0) green_started();
}

void BlueGreenStrategy::on_wake(engine::Kernel& kernel, std::uint64_t tag) {
  switch (tag) {
    case kBlueScaleDownTimer:
      scale_down_blue();
      return;
    case kGreenScaleDownTimer:
      scale_down_green();
      return;
    default:
      Strategy::on_wake(kernel, tag);
  }
}

void BlueGreenStrategy::on_timer(std::uint64_t tag) {
  if (tag == kAnalysisEndTimer && phase_ == Phase::analysing) end_analysis();
}

void BlueGreenStrategy::retire(HostIndex host) {
  if (updater_.is_updating(host)) {
    doomed_[host] = 1;
    return;
  }
  world_.fleet().set_health(host, Health::terminated);
}

void BlueGreenStrategy::host_updated(HostIndex host, bool ok) {
  auto& fleet = world_.fleet();
  if (doomed_[host] != 0) {
    doomed_[host] = 0;
    fleet.set_health(host, Health::terminated);
    return;
  }
  if (is_green(host)) {
    if (phase_ != Phase::starting_green) return;
    if (!ok) ++failed_;
    if (--pending_ == 0) green_started();
    return;
  }
  if (phase_ != Phase::restoring_blue) return;
  // Blue started again after a late rollback: kept warm until all of it is up, then switched.
  if (fleet.is_serving(host)) fleet.set_health(host, Health::out_of_rotation);
  if (!ok) ++failed_;
  if (--pending_ > 0) return;
  const auto took = world_.now() - rollback_started_;
  std::string detail = "blue started again on its old version in " + engine::format_duration(took);
  if (failed_ > 0) detail += " (" + std::to_string(failed_) + " host(s) failed to start)";
  switch_to_blue(detail);
}

void BlueGreenStrategy::green_started() {
  if (!active()) return;
  if (params_.pre_promotion_analysis > Duration{}) {
    phase_ = Phase::analysing;
    note("preview_analysis", "pre-promotion analysis of the green preview for " +
                                 engine::format_duration(params_.pre_promotion_analysis));
    // Checked when the window opens (a crashed pod is already visible) and when it closes.
    if (const auto problem = preview_problem(); !problem.empty()) {
      note("preview_analysis_failed", problem);
      abort("pre-promotion analysis failed: " + problem, "automation");
      return;
    }
    world_.kernel().wake_after(params_.pre_promotion_analysis, *this, kAnalysisEndTimer);
    return;
  }
  if (failed_ > 0) {
    // Argo switches only to a fully available preview; without an analysis to abort it waits
    // until progressDeadlineSeconds and marks the rollout Degraded. Production stays on blue.
    finish(DeployOutcome::halted, std::to_string(failed_) +
                                      " green host(s) failed to start: the preview never "
                                      "becomes available, so traffic stays on blue");
    return;
  }
  end_analysis();
}

std::string BlueGreenStrategy::preview_problem() const {
  const auto& fleet = world_.fleet();
  std::int64_t crashed = 0;
  std::int64_t erroring = 0;
  for (HostIndex g : green_) {
    const Health health = fleet.health_of(g);
    if (health == Health::crashed) {
      ++crashed;
      continue;
    }
    if (health == Health::terminated) continue;
    // Preview traffic (smoke tests, synthetic checks) exercises crashes, errors and latency.
    // Business-logic harm (erroneous_actions) shows only under real production traffic.
    const auto kind = fleet.behaviours()[fleet.behaviour_of(g)].kind;
    if (kind != Behaviour::Kind::healthy && kind != Behaviour::Kind::erroneous_actions) {
      ++erroring;
    }
  }
  std::string problem;
  if (crashed > 0) problem = std::to_string(crashed) + " green host(s) crashed";
  if (erroring > 0) {
    if (!problem.empty()) problem += ", ";
    problem += std::to_string(erroring) + " green host(s) misbehaving under preview traffic";
  }
  return problem;
}

void BlueGreenStrategy::end_analysis() {
  if (phase_ == Phase::analysing) {
    if (const auto problem = preview_problem(); !problem.empty()) {
      note("preview_analysis_failed", problem);
      abort("pre-promotion analysis failed: " + problem, "automation");
      return;
    }
    note("preview_analysis_passed", std::to_string(green_.size()) + " green host(s) healthy");
  }
  if (params_.auto_promote) {
    switch_to_green("automation");
    return;
  }
  phase_ = Phase::awaiting_promotion;
  note("awaiting_promotion",
       "auto_promote is off: green waits out of rotation until a person promotes it");
}

bool BlueGreenStrategy::promote(std::string_view who) {
  if (phase_ != Phase::awaiting_promotion || !active()) return false;
  switch_to_green(who);
  return true;
}

void BlueGreenStrategy::switch_to_green(std::string_view who) {
  auto& fleet = world_.fleet();
  phase_ = Phase::switched;
  // One instant: the active Service's selector moves from blue to green.
  for (HostIndex g : green_) fleet.set_health(g, Health::healthy);
  for (HostIndex b : blue_) {
    if (fleet.is_serving(b) || fleet.health_of(b) == Health::draining) {
      fleet.set_health(b, Health::out_of_rotation);
    }
  }
  finish(DeployOutcome::completed, "all traffic switched to green at once by " + std::string(who) +
                                       "; blue kept warm for " +
                                       engine::format_duration(params_.scale_down_delay));
  if (params_.scale_down_delay > Duration{}) {
    scale_down_timer_ =
        world_.kernel().wake_after(params_.scale_down_delay, *this, kBlueScaleDownTimer);
  } else {
    scale_down_blue();
  }
}

void BlueGreenStrategy::scale_down_blue() {
  if (phase_ != Phase::switched) return;
  for (HostIndex b : blue_) retire(b);
  phase_ = Phase::blue_gone;
  note("blue_scaled_down", std::to_string(blue_.size()) +
                               " blue host(s) removed: a rollback now has to start them again");
}

void BlueGreenStrategy::switch_to_blue(std::string_view detail) {
  auto& fleet = world_.fleet();
  phase_ = Phase::switched_back;
  for (HostIndex b : blue_) {
    if (fleet.health_of(b) == Health::out_of_rotation) fleet.set_health(b, Health::healthy);
  }
  for (HostIndex g : green_) {
    if (fleet.is_serving(g) || fleet.health_of(g) == Health::draining) {
      fleet.set_health(g, Health::out_of_rotation);
    }
  }
  note("switched_back", std::string(detail));
  if (params_.scale_down_delay > Duration{}) {
    world_.kernel().wake_after(params_.scale_down_delay, *this, kGreenScaleDownTimer);
  } else {
    scale_down_green();
  }
}

void BlueGreenStrategy::scale_down_green() {
  std::int64_t removed = 0;
  for (HostIndex g : green_) {
    if (world_.fleet().health_of(g) == Health::terminated) continue;
    retire(g);
    ++removed;
  }
  if (removed > 0) note("green_scaled_down", std::to_string(removed) + " green host(s) removed");
}

void BlueGreenStrategy::mark_rolled_back(const std::string& detail) {
  if (active()) {
    finish(DeployOutcome::rolled_back, detail);
    return;
  }
  outcome_ = DeployOutcome::rolled_back;
  note("deploy_rolled_back", detail);
}

void BlueGreenStrategy::abort(std::string_view reason, std::string_view who) {
  phase_ = Phase::aborted;
  // Production never left blue: the preview is simply dropped, after Argo's abort delay.
  world_.kernel().wake_after(kAbortScaleDownDelay, *this, kGreenScaleDownTimer);
  mark_rolled_back("aborted by " + std::string(who) + " (" + std::string(reason) +
                   "): traffic stays on blue; green removed after " +
                   engine::format_duration(kAbortScaleDownDelay));
}

void BlueGreenStrategy::rollback(std::string_view reason, std::string_view who) {
  switch (phase_) {
    case Phase::waiting:
      Strategy::rollback(reason, who);
      return;
    case Phase::starting_green:
    case Phase::analysing:
    case Phase::awaiting_promotion:
      abort(reason, who);
      return;
    case Phase::switched: {
      world_.kernel().cancel(scale_down_timer_);
      const std::string who_text(who);
      switch_to_blue("instant switch back by " + who_text + ": blue was still warm");
      mark_rolled_back("rolled back by " + who_text + " (" + std::string(reason) +
                       ") inside scale_down_delay: instant switch back to blue");
      return;
    }
    case Phase::blue_gone: {
      // The capacity a fast rollback needs was scaled down: start blue again, then switch.
      auto& fleet = world_.fleet();
      phase_ = Phase::restoring_blue;
      rollback_started_ = world_.now();
      pending_ = static_cast<std::int64_t>(blue_.size());
      failed_ = 0;
      for (HostIndex b : blue_) updater_.update(b, fleet.version_of(b), /*into_rotation=*/false);
      mark_rolled_back("rolled back by " + std::string(who) + " (" + std::string(reason) +
                       ") after scale_down_delay: blue is gone and must start again (" +
                       std::to_string(blue_.size()) + " host(s)); green serves until then");
      return;
    }
    case Phase::aborted:
    case Phase::restoring_blue:
    case Phase::switched_back:
      return;
  }
}

void BlueGreenStrategy::halt() {
  if (active()) finish(DeployOutcome::halted);
}

}  // namespace deploysim::strategy
