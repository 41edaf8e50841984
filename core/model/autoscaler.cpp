#include "model/autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace deploysim::model {

std::int64_t hpa_metric_replicas(std::int64_t current, std::int64_t ready, std::int64_t unready,
                                 double utilization, double target, double tolerance) {
  if (ready <= 0) return current;  // no metrics: the controller keeps the scale
  const double ratio = utilization / target;
  if (!(unready > 0 && ratio > 1.0)) {
    if (std::abs(1.0 - ratio) <= tolerance) return current;
    return static_cast<std::int64_t>(std::ceil(ratio * static_cast<double>(ready)));
  }
  // Scaling up with pods not ready: they count as using nothing, so that starting pods are not
  // asked to carry load twice.
  const double pods = static_cast<double>(ready + unready);
  const double new_ratio = ratio * static_cast<double>(ready) / pods;
  if (std::abs(1.0 - new_ratio) <= tolerance || new_ratio < 1.0) return current;
  const auto replicas = static_cast<std::int64_t>(std::ceil(new_ratio * pods));
  return replicas < current ? current : replicas;
}

HpaBehavior::HpaBehavior(const spec::ScalingRules& up, const spec::ScalingRules& down,
                         std::int64_t min_replicas, std::int64_t max_replicas)
    : up_(up), down_(down), min_(min_replicas), max_(max_replicas) {}

std::int64_t HpaBehavior::change_in_period(const std::vector<Event>& events, engine::Time now,
                                           engine::Duration period) const {
  std::int64_t change = 0;
  for (const auto& event : events) {
    if (event.at > now - period) change += event.change;
  }
  return change;
}

std::int64_t HpaBehavior::scale_up_limit(engine::Time now, std::int64_t current) const {
  using Select = spec::ScalingRules::Select;
  if (up_.select == Select::disabled) return current;
  const bool take_min = up_.select == Select::min;
  std::int64_t result = take_min ? std::numeric_limits<std::int64_t>::max()
                                 : std::numeric_limits<std::int64_t>::min();
  for (const auto& policy : up_.policies) {
    // The replicas there were at the start of the policy's period.
    const std::int64_t start = current - change_in_period(up_events_, now, policy.period) +
                               change_in_period(down_events_, now, policy.period);
    const std::int64_t proposed =
        policy.kind == spec::ScalingPolicy::Kind::pods
            ? start + static_cast<std::int64_t>(policy.value)
            // Rounded up, or a small deployment could never grow by a percentage.
            : static_cast<std::int64_t>(
                  std::ceil(static_cast<double>(start) * (1.0 + policy.value / 100.0)));
    result = take_min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

std::int64_t HpaBehavior::scale_down_limit(engine::Time now, std::int64_t current) const {
  using Select = spec::ScalingRules::Select;
  if (down_.select == Select::disabled) return current;
  const bool take_min_change = down_.select == Select::min;
  std::int64_t result = take_min_change ? std::numeric_limits<std::int64_t>::min()
                                        : std::numeric_limits<std::int64_t>::max();
  for (const auto& policy : down_.policies) {
    const std::int64_t start = current - change_in_period(up_events_, now, policy.period) +
                               change_in_period(down_events_, now, policy.period);
    const std::int64_t proposed =
        policy.kind == spec::ScalingPolicy::Kind::pods
            ? start - static_cast<std::int64_t>(policy.value)
            : static_cast<std::int64_t>(static_cast<double>(start) * (1.0 - policy.value / 100.0));
    result = take_min_change ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

HpaBehavior::Decision HpaBehavior::normalize(engine::Time now, std::int64_t current,
                                             std::int64_t desired) {
  // Stabilisation: the lowest recommendation of the scale-up window and the highest of the
  // scale-down window bound the change (stabilizeRecommendationWithBehaviors).
  std::int64_t up_recommendation = desired;
  std::int64_t down_recommendation = desired;
  const engine::Time up_cutoff = now - up_.stabilization_window;
  const engine::Time down_cutoff = now - down_.stabilization_window;
  std::optional<std::size_t> old_sample;
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    const auto& [at, recommendation] = recommendations_[i];
    if (at > up_cutoff) up_recommendation = std::min(up_recommendation, recommendation);
    if (at > down_cutoff) down_recommendation = std::max(down_recommendation, recommendation);
    if (at < up_cutoff && at < down_cutoff) old_sample = i;
  }
  std::int64_t stabilized = current;
  if (stabilized < up_recommendation) stabilized = up_recommendation;
  if (stabilized > down_recommendation) stabilized = down_recommendation;
  if (old_sample) {
    recommendations_[*old_sample] = {now, desired};
  } else {
    recommendations_.emplace_back(now, desired);
  }

  // Rate limits and bounds (convertDesiredReplicasWithBehaviorRate).
  if (stabilized > current) {
    const std::int64_t limit = std::max(scale_up_limit(now, current), current);
    if (max_ > limit) {
      if (stabilized > limit) return {limit, "ScaleUpLimit"};
    } else if (stabilized > max_) {
      return {max_, "TooManyReplicas"};
    }
  } else if (stabilized < current) {
    const std::int64_t limit = std::min(scale_down_limit(now, current), current);
    if (min_ < limit) {
      if (stabilized < limit) return {limit, "ScaleDownLimit"};
    } else if (stabilized < min_) {
      return {min_, "TooFewReplicas"};
    }
  }
  if (stabilized < desired) return {stabilized, "ScaleUpStabilized"};
  if (stabilized > desired) return {stabilized, "ScaleDownStabilized"};
  return {stabilized, "DesiredWithinRange"};
}

void HpaBehavior::record_scale(engine::Time now, std::int64_t from, std::int64_t to) {
  // Events older than the longest period are no longer read by any policy.
  engine::Duration longest;
  for (const auto& p : up_.policies) longest = std::max(longest, p.period);
  for (const auto& p : down_.policies) longest = std::max(longest, p.period);
  const auto stale = [&](const Event& e) { return e.at <= now - longest; };
  std::erase_if(up_events_, stale);
  std::erase_if(down_events_, stale);
  if (to > from) up_events_.push_back({now, to - from});
  if (to < from) down_events_.push_back({now, from - to});
}

// --- the process ---------------------------------------------------------------------------

Autoscaler::Autoscaler(World& world, LoadModel& load, const spec::Autoscaler& params)
    : world_(world),
      load_(load),
      params_(params),
      group_(*world.fleet().find_group(params.group)),
      behavior_(params.scale_up, params.scale_down,
                params.mode == spec::Autoscaler::Mode::scale_to_zero
                    ? std::max<std::int64_t>(1, params.min_replicas)
                    : params.min_replicas,
                params.max_replicas) {
  for (HostIndex h : world.fleet().groups()[group_].hosts) {
    if (world.fleet().health_of(h) != Health::terminated) ++spec_;
  }
}

void Autoscaler::start() {
  world_.kernel().wake_after(params_.sync_period, *this, kSyncTag);
}

void Autoscaler::on_wake(engine::Kernel& kernel, std::uint64_t tag) {
  if (tag == kSyncTag) {
    sync();
    kernel.wake_after(params_.sync_period, *this, kSyncTag);
    return;
  }
  const auto host = static_cast<HostIndex>(tag - kReadyTag);
  std::erase_if(starting_, [host](const auto& s) { return s.first == host; });
  Fleet& fleet = world_.fleet();
  if (fleet.health_of(host) != Health::out_of_rotation) return;  // removed while starting
  const bool crashes =
      fleet.behaviours()[fleet.behaviour_of(host)].kind == spec::Behaviour::Kind::crash_on_start;
  fleet.set_health(host, crashes ? Health::crashed : Health::healthy);
  if (!crashes && !retiring_.empty()) {
    const HostIndex old = retiring_.front();
    retiring_.erase(retiring_.begin());
    if (fleet.health_of(old) != Health::terminated) fleet.set_health(old, Health::terminated);
    std::erase(created_, old);
  } else if (surplus_replacements_ > 0) {
    // Its outdated pod was already removed by a scale down: this one is one too many.
    --surplus_replacements_;
    fleet.set_health(host, Health::terminated);
    std::erase(created_, host);
  }
  load_.update();
}

bool Autoscaler::rollout_on_group() const {
  const auto* rollout = world_.rollout();
  if (rollout == nullptr || rollout->outcome() != DeployOutcome::in_progress) return false;
  const auto& hosts = world_.deployment_hosts();
  return std::any_of(hosts.begin(), hosts.end(),
                     [&](HostIndex h) { return world_.fleet().group_of(h) == group_; });
}

VersionIndex Autoscaler::template_version() const {
  // The version most of the group runs: a Deployment scales its ReplicaSets in proportion, so
  // most new pods come from the set with most pods.
  const Fleet& fleet = world_.fleet();
  std::vector<std::int64_t> count(fleet.versions().size(), 0);
  VersionIndex best = 0;
  for (HostIndex h : fleet.groups()[group_].hosts) {
    if (fleet.health_of(h) == Health::terminated) continue;
    const VersionIndex v = fleet.version_of(h);
    if (++count[v] > count[best] || (count[v] == count[best] && v > best)) best = v;
  }
  if (count[best] == 0) {
    // An empty group (scaled to zero): the version it ran last.
    const auto& hosts = fleet.groups()[group_].hosts;
    if (!hosts.empty()) return fleet.version_of(hosts.back());
  }
  return best;
}

void Autoscaler::add_hosts(std::int64_t count, VersionIndex version) {
  Fleet& fleet = world_.fleet();
  const auto* rollout = world_.rollout();
  // Rolling and all-at-once read the deployment's hosts when they begin; the other strategies
  // took their list when the run was set up.
  const auto& strategy = world_.scenario().deployment ? world_.scenario().deployment->strategy
                                                      : spec::StrategyParams{};
  const bool reads_hosts_at_start = std::holds_alternative<spec::RollingParams>(strategy) ||
                                    std::holds_alternative<spec::AllAtOnceParams>(strategy);
  const bool before_rollout = rollout != nullptr && reads_hosts_at_start &&
                              rollout->outcome() == DeployOutcome::not_started;
  for (std::int64_t i = 0; i < count; ++i) {
    const HostIndex host = fleet.add_host(group_, version);
    // Before the rollout the Deployment's pods are all alike: the rollout will update this one,
    // and it is the group's like any other. Otherwise it stays this autoscaler's own.
    if (before_rollout) {
      world_.add_deployment_host(host);
    } else {
      created_.push_back(host);
      if (own_.size() <= host) own_.resize(fleet.size(), 0);
      own_[host] = 1;
    }
    starting_.emplace_back(host, world_.now() + params_.provisioning);
    world_.kernel().wake_after(params_.provisioning, *this, kReadyTag + host);
  }
}

void Autoscaler::remove_hosts(std::int64_t count) {
  Fleet& fleet = world_.fleet();
  // The ReplicaSet controller's order: pods not ready before ready ones, newer before older.
  // During a rollout only pods this autoscaler created are removed; the strategy owns the rest.
  std::vector<HostIndex> candidates;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    if (fleet.health_of(*it) != Health::terminated) candidates.push_back(*it);
  }
  if (!rollout_on_group()) {
    const auto& hosts = fleet.groups()[group_].hosts;
    for (auto it = hosts.rbegin(); it != hosts.rend(); ++it) {
      if (fleet.health_of(*it) != Health::terminated && (*it >= own_.size() || !own_[*it])) {
        candidates.push_back(*it);
      }
    }
  }
  std::stable_partition(candidates.begin(), candidates.end(),
                        [&](HostIndex h) { return !fleet.is_serving(h); });
  // Outdated pods waiting for a replacement go first: their replacements take their place.
  std::stable_partition(candidates.begin(), candidates.end(), [&](HostIndex h) {
    return std::find(retiring_.begin(), retiring_.end(), h) != retiring_.end();
  });
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(count), candidates.size());
  for (std::size_t i = 0; i < n; ++i) fleet.set_health(candidates[i], Health::terminated);
  surplus_replacements_ += static_cast<std::int64_t>(std::erase_if(
      retiring_, [&](HostIndex h) { return fleet.health_of(h) == Health::terminated; }));
  std::erase_if(created_, [&](HostIndex h) { return fleet.health_of(h) == Health::terminated; });
}

void Autoscaler::scale_to(std::int64_t replicas, const std::string& reason) {
  const std::int64_t from = spec_;
  if (replicas == from) return;
  behavior_.record_scale(world_.now(), from, replicas);
  spec_ = replicas;
  ++events_;
  if (replicas > from) {
    add_hosts(replicas - from, template_version());
  } else {
    remove_hosts(from - replicas);
  }
  load_.update();
  // Every scale goes to the trace; the story keeps the first few of each autoscaler.
  constexpr int kStoryEvents = 40;
  const bool notable = story_events_ < kStoryEvents;
  if (notable) ++story_events_;
  engine::TraceRecord record{world_.now(),
                             "scaled",
                             params_.group,
                             {{"from", from}, {"to", replicas}, {"reason", reason}}};
  // The last one the story keeps says so, so that a reader does not take it for the last scale.
  if (notable && story_events_ == kStoryEvents) record.fields.push_back({"story_ends", true});
  world_.record(std::move(record), notable);
}

std::optional<double> Autoscaler::cold_start(std::uint32_t group) {
  if (group != group_) return std::nullopt;
  last_request_ = world_.now();
  if (spec_ == 0 && params_.mode == spec::Autoscaler::Mode::scale_to_zero) {
    scale_to(std::max<std::int64_t>(1, params_.min_replicas), "request arrived while asleep");
  }
  std::optional<double> earliest;
  for (const auto& [host, ready_at] : starting_) {
    const double seconds = (ready_at - world_.now()).to_seconds();
    if (!earliest || seconds < *earliest) earliest = seconds;
  }
  return earliest;
}

void Autoscaler::replace_outdated_hosts() {
  // Pods this autoscaler added during a rollout run the version most of the group ran then; once
  // the rollout has completed, the Deployment's template is the target and its controller
  // replaces them.
  const auto* rollout = world_.rollout();
  const auto target = world_.target_version();
  if (rollout == nullptr || !target || rollout->outcome() != DeployOutcome::completed) return;
  Fleet& fleet = world_.fleet();
  std::int64_t outdated = 0;
  for (HostIndex h : created_) {
    if (fleet.health_of(h) != Health::terminated && fleet.version_of(h) != *target &&
        fleet.versions()[fleet.version_of(h)].service == fleet.versions()[*target].service &&
        std::find(retiring_.begin(), retiring_.end(), h) == retiring_.end()) {
      retiring_.push_back(h);
      ++outdated;
    }
  }
  if (outdated == 0) return;
  // Surge-style: each outdated pod leaves when a replacement is ready, so no capacity is lost.
  add_hosts(outdated, *target);
  world_.record({world_.now(),
                 "autoscaled_pods_replaced",
                 params_.group,
                 {{"hosts", outdated}, {"version", fleet.versions()[*target].name}}},
                false);
}

void Autoscaler::sync() {
  replace_outdated_hosts();
  const Fleet& fleet = world_.fleet();
  const bool to_zero = params_.mode == spec::Autoscaler::Mode::scale_to_zero;
  const double rate = load_.service_rate_for_group(group_);
  if (rate > 0.0) last_request_ = world_.now();
  if (to_zero) {
    if (spec_ == 0) {
      if (rate > 0.0)
        scale_to(std::max<std::int64_t>(1, params_.min_replicas), "request arrived while asleep");
      return;
    }
    if (params_.min_replicas == 0 && rate <= 0.0 &&
        world_.now() - last_request_ >= params_.idle_timeout) {
      scale_to(0, "idle for " +
                      std::to_string(static_cast<std::int64_t>(params_.idle_timeout.to_seconds())) +
                      " s");
      return;
    }
  } else if (spec_ == 0 && params_.min_replicas != 0) {
    return;  // scaled to zero by hand: the HPA is disabled until someone scales it up
  }
  const std::int64_t min =
      to_zero ? std::max<std::int64_t>(1, params_.min_replicas) : params_.min_replicas;
  if (spec_ > params_.max_replicas) {
    scale_to(params_.max_replicas, "current replicas above max_replicas");
    return;
  }
  if (spec_ < min) {
    scale_to(min, "current replicas below min_replicas");
    return;
  }
  std::int64_t ready = 0;
  std::int64_t unready = 0;
  for (HostIndex h : fleet.groups()[group_].hosts) {
    const Health health = fleet.health_of(h);
    if (health == Health::terminated) continue;
    if (fleet.is_serving(h)) {
      ++ready;
    } else {
      ++unready;
    }
  }
  const double utilization = load_.group_utilization_at(group_, world_.now() - params_.metric_lag);
  const std::int64_t desired = hpa_metric_replicas(spec_, ready, unready, utilization,
                                                   params_.target_utilization, params_.tolerance);
  const auto decision = behavior_.normalize(world_.now(), spec_, desired);
  if (decision.replicas == spec_) return;
  char text[160];
  std::snprintf(text, sizeof text, "utilisation %.2f %s target %.2f", utilization,
                utilization > params_.target_utilization ? "above" : "below",
                params_.target_utilization);
  std::string reason = text;
  // Kubernetes' condition reason, when something other than the metric set the count.
  if (decision.reason != "DesiredWithinRange") reason += " (" + decision.reason + ")";
  scale_to(decision.replicas, reason);
}

}  // namespace deploysim::model
