#include "verify/search.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "input/input_error.hpp"
#include "simulation/narrative.hpp"
#include "strategy/ring.hpp"

namespace deploysim::verify {

using model::FaultKind;

namespace {

bool is_host_kind(FaultKind kind) {
  switch (kind) {
    case FaultKind::skip_host:
    case FaultKind::install_fails_once:
    case FaultKind::install_fails:
    case FaultKind::health_check_passes_bad:
    case FaultKind::health_check_fails_good:
    case FaultKind::host_crash_mid_update:
      return true;
    default:
      return false;
  }
}

std::string point_key(FaultKind kind, std::string_view target) {
  return std::string(model::fault_kind_name(kind)) + "/" + std::string(target);
}

bool wanted(const SearchOptions& options, FaultKind kind) {
  return options.kinds.empty() ||
         std::find(options.kinds.begin(), options.kinds.end(), kind) != options.kinds.end();
}

// What one run tells the search.
struct Outcome {
  std::vector<std::size_t> violated;  // indices of the properties broken
  std::vector<bool> reached;          // by candidate: its decision point arose
};

// Runs `plan` under `faults` and checks every property, after each event where one needs it.
struct Runner {
  const spec::Scenario& plan;
  const std::vector<Property>& properties;
  const SearchOptions& options;
  const std::unordered_map<std::string, std::size_t>& index;  // point key -> candidate

  Outcome run(const std::vector<model::Fault>& faults) const {
    model::FaultPlan fault_plan(faults, options.bounds, &distribution_quantile);
    simulation::Simulation simulation(plan, options.seed, nullptr, &fault_plan);
    std::vector<Property::Check> checks;
    bool temporal = false;
    for (const auto& property : properties) {
      checks.emplace_back(property);
      temporal = temporal || property.temporal();
    }
    const auto observe = [&] {
      for (std::size_t p = 0; p < checks.size(); ++p) {
        if (properties[p].temporal()) checks[p].observe(simulation.world(), simulation);
      }
    };
    if (temporal) {
      observe();
      while (simulation.step()) observe();
    } else {
      simulation.run();
    }
    const auto summary = simulation.result().summary;
    Outcome outcome;
    for (std::size_t p = 0; p < checks.size(); ++p) {
      if (!checks[p].holds(simulation.world(), summary)) outcome.violated.push_back(p);
    }
    outcome.reached.assign(index.size(), false);
    for (const auto& point : fault_plan.reached()) {
      const auto it = index.find(point_key(point.kind, point.target));
      if (it != index.end()) outcome.reached[it->second] = true;
    }
    return outcome;
  }
};

// The phase of a host in the plan: its ring, or its place in a manual deploy's order.
std::vector<std::int64_t> host_phases(const model::World& world) {
  std::vector<std::int64_t> phase(world.fleet().size(), -1);
  const auto& deployment = world.scenario().deployment;
  if (!deployment) return phase;
  if (const auto* rings = std::get_if<spec::RingParams>(&deployment->strategy)) {
    const auto plan = strategy::plan_rings(world, *rings);
    for (std::size_t r = 0; r < plan.ends.size(); ++r) {
      for (auto i = plan.begin(r); i < plan.ends[r]; ++i) {
        phase[plan.hosts[i]] = static_cast<std::int64_t>(r);
      }
    }
  } else if (std::holds_alternative<spec::ManualParams>(deployment->strategy)) {
    const auto& hosts = world.deployment_hosts();
    for (std::size_t i = 0; i < hosts.size(); ++i) phase[hosts[i]] = static_cast<std::int64_t>(i);
  }
  return phase;
}

// The symmetry class of a host's decision point: its group, version and phase in the plan as
// the run starts (hosts the run creates, such as canary pods, are "new"), and when the fault-free
// run reached it.
std::string host_class_key(const Candidate& candidate, const model::World& start,
                           const std::vector<std::int64_t>& phases, const model::World& end) {
  std::string key = std::string(model::fault_kind_name(candidate.fault.kind)) + "|";
  if (const auto host = start.fleet().find_host(candidate.fault.target)) {
    const auto& fleet = start.fleet();
    key += fleet.groups()[fleet.group_of(*host)].name + "|" +
           fleet.versions()[fleet.version_of(*host)].name + "|" + std::to_string(phases[*host]);
  } else if (const auto created = end.fleet().find_host(candidate.fault.target)) {
    key += end.fleet().groups()[end.fleet().group_of(*created)].name + "|new";
  } else {
    return point_key(candidate.fault.kind, candidate.fault.target);
  }
  return key + "|" + std::to_string(candidate.at.ms());
}

// Assigns classes: host faults of one kind on hosts of the same group, version, plan phase and
// moment of decision in the fault-free run are interchangeable; every other point is its own.
void assign_classes(std::vector<Candidate>& candidates, const spec::Scenario& plan, bool symmetry,
                    const model::World& end) {
  model::World world(plan, 1);
  const auto phases = host_phases(world);
  std::map<std::string, std::size_t> classes;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto& candidate = candidates[i];
    std::string key = point_key(candidate.fault.kind, candidate.fault.target);
    if (symmetry && is_host_kind(candidate.fault.kind)) {
      key = host_class_key(candidate, world, phases, end);
    }
    const auto [it, added] = classes.emplace(key, classes.size());
    candidate.klass = it->second;
    (void)added;
  }
}

}  // namespace

std::vector<Candidate> decision_points(const spec::Scenario& plan, const SearchOptions& options) {
  model::FaultPlan probe({}, options.bounds, &distribution_quantile);
  simulation::Simulation simulation(plan, options.seed, nullptr, &probe);
  simulation.run();
  std::vector<Candidate> candidates;
  std::unordered_map<std::string, std::size_t> seen;
  const auto add = [&](FaultKind kind, const std::string& target, engine::Time at) {
    if (!wanted(options, kind)) return;
    const auto [it, added] = seen.emplace(point_key(kind, target), candidates.size());
    if (added) candidates.push_back({{kind, target, {}, 100.0}, at, 0});
  };
  for (const auto& point : probe.reached()) add(point.kind, point.target, point.first_reached);
  // Points that only a fault elsewhere may bring about: an alert that did not fire, a person
  // nobody paged, a flag, a group.
  for (auto kind : model::all_fault_kinds()) {
    if (is_host_kind(kind)) continue;
    for (const auto& target : fault_targets(plan, kind)) add(kind, target, plan.clock.end);
  }
  // A wrong percentage is half the scope (schedule.hpp, kWrongPercent).
  for (auto& candidate : candidates) {
    if (candidate.fault.kind == FaultKind::flag_wrong_percent) {
      candidate.fault.percent = kWrongPercent;
    }
  }
  // A flag turned on early takes effect when the deployment starts: that is its place in time.
  for (auto& candidate : candidates) {
    if (candidate.fault.kind == FaultKind::flag_early && plan.deployment) {
      candidate.at = std::max(candidate.at, std::min(plan.deployment->start, plan.clock.end));
    }
  }
  // By time; at one instant by kind (a manual step before what follows from it), then as reached.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.fault.kind < b.fault.kind;
  });
  assign_classes(candidates, plan, options.symmetry, simulation.world());
  return candidates;
}

}  // namespace deploysim::verify

namespace deploysim::verify {

namespace {

// A schedule of representatives: class indices, non-decreasing, a class repeated once per fault
// in it (its first members stand in).
using ClassList = std::vector<std::size_t>;

struct Classes {
  std::vector<std::vector<std::size_t>> members;  // by class: candidate indices, in time order

  explicit Classes(const std::vector<Candidate>& candidates) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto c = candidates[i].klass;
      if (members.size() <= c) members.resize(c + 1);
      members[c].push_back(i);
    }
  }
  // The candidates a class list stands for: the first j members of a class it names j times.
  std::vector<std::size_t> points(const ClassList& list) const {
    std::vector<std::size_t> points;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto j = static_cast<std::size_t>(
          std::count(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i), list[i]));
      points.push_back(members[list[i]][j]);
    }
    std::sort(points.begin(), points.end());
    return points;
  }
  // How many schedules of points the list stands for: the product of C(size, j) over classes.
  std::int64_t stands_for(const ClassList& list) const {
    std::int64_t total = 1;
    for (std::size_t i = 0; i < list.size();) {
      std::size_t j = i;
      while (j < list.size() && list[j] == list[i]) ++j;
      const auto n = static_cast<std::int64_t>(members[list[i]].size());
      const auto r = static_cast<std::int64_t>(j - i);
      std::int64_t c = 1;
      for (std::int64_t t = 0; t < r; ++t) c = c * (n - t) / (t + 1);
      total *= c;
      i = j;
    }
    return total;
  }
};

// Every class list of exactly `m` faults, in lexicographic order.
void enumerate(const Classes& classes, std::size_t m, ClassList& prefix,
               std::vector<ClassList>& out) {
  if (prefix.size() == m) {
    out.push_back(prefix);
    return;
  }
  const std::size_t first = prefix.empty() ? 0 : prefix.back();
  for (std::size_t c = first; c < classes.members.size(); ++c) {
    const auto used = static_cast<std::size_t>(std::count(prefix.begin(), prefix.end(), c));
    if (used >= classes.members[c].size()) continue;
    prefix.push_back(c);
    enumerate(classes, m, prefix, out);
    prefix.pop_back();
  }
}

// Calls work(i) for i in [0, count) on `threads` threads; stops starting new calls once `stop`
// is raised. Each call writes only its own slot, so the result does not depend on the threads.
template <class Work>
void parallel_for(std::int64_t count, int threads, const std::atomic<bool>* stop,
                  const Work& work) {
  std::atomic<std::int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (std::int64_t i = next++; i < count; i = next++) {
      if (stop != nullptr && stop->load()) return;
      try {
        work(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < std::min<std::int64_t>(std::max(1, threads), count); ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

// One search: its candidates and classes, the outcomes so far, and the report it fills in.
class Search {
 public:
  Search(const spec::Scenario& plan, const std::vector<Property>& properties,
         const SearchOptions& options, Report& report)
      : plan_(plan),
        properties_(properties),
        options_(options),
        report_(report),
        candidates_(decision_points(plan, options)),
        classes_(candidates_),
        runner_{plan_, properties_, options_, index_} {
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      index_.emplace(point_key(candidates_[i].fault.kind, candidates_[i].fault.target), i);
    }
    report_.decision_points = static_cast<std::int64_t>(candidates_.size());
    report_.point_classes = static_cast<std::int64_t>(classes_.members.size());
  }

  // Explores levels 0..k; stops after the first level with a violation (its counterexample has
  // the fewest faults) or when interrupted.
  void run() {
    previous_[{}] = store(runner_.run({}));
    if (!level_zero()) return;
    for (int m = 1; m <= options_.max_faults; ++m) {
      if (!level(static_cast<std::size_t>(m))) return;
    }
  }

  const std::vector<Candidate>& candidates() const { return candidates_; }
  const Classes& classes() const { return classes_; }
  // Outcomes of complete levels, for the probabilities: (class list, outcome).
  const std::vector<std::pair<ClassList, std::size_t>>& explored() const { return explored_; }
  const Outcome& outcome(std::size_t id) const { return outcomes_[id]; }
  std::vector<model::Fault> faults_of(const ClassList& list) const {
    std::vector<model::Fault> faults;
    for (auto point : classes_.points(list)) faults.push_back(candidates_[point].fault);
    return faults;
  }
  std::optional<ClassList> best;  // the minimal violating class list

 private:
  std::size_t store(Outcome outcome) {
    outcomes_.push_back(std::move(outcome));
    return outcomes_.size() - 1;
  }

  bool level_zero() {
    LevelStats stats;
    stats.classes = stats.schedules = stats.runs = 1;
    const auto id = previous_.at({});
    explored_.push_back({{}, id});
    if (!outcomes_[id].violated.empty()) {
      stats.violations = 1;
      best = ClassList{};
    }
    report_.levels.push_back(stats);
    return !best;
  }

  // The outcome a schedule shares with a smaller one: a fault whose decision point the smaller
  // schedule's run never reached cannot change it.
  std::optional<std::size_t> pruned_outcome(const ClassList& list) const {
    if (!options_.prune) return std::nullopt;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i + 1 < list.size() && list[i + 1] == list[i]) continue;  // the class's last member
      ClassList parent = list;
      parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(i));
      const auto j = static_cast<std::size_t>(std::count(parent.begin(), parent.end(), list[i]));
      const auto removed = classes_.members[list[i]][j];
      const auto it = previous_.find(parent);
      if (it != previous_.end() && !outcomes_[it->second].reached[removed]) return it->second;
    }
    return std::nullopt;
  }

  bool level(std::size_t m) {
    std::vector<ClassList> lists;
    ClassList prefix;
    enumerate(classes_, m, prefix, lists);
    std::vector<std::optional<std::size_t>> ids(lists.size());
    std::vector<std::size_t> to_run;
    for (std::size_t i = 0; i < lists.size(); ++i) {
      ids[i] = pruned_outcome(lists[i]);
      if (!ids[i]) to_run.push_back(i);
    }
    std::vector<std::optional<Outcome>> fresh(to_run.size());
    std::atomic<std::int64_t> done{0};
    std::mutex progress_mutex;
    const auto total = static_cast<std::int64_t>(to_run.size());
    parallel_for(total, options_.threads, options_.stop, [&](std::int64_t r) {
      const auto i = to_run[static_cast<std::size_t>(r)];
      fresh[static_cast<std::size_t>(r)] = runner_.run(faults_of(lists[i]));
      const auto finished = ++done;
      if (options_.progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options_.progress(finished, total, static_cast<int>(m));
      }
    });
    return collect(m, lists, ids, to_run, fresh);
  }

  bool collect(std::size_t m, const std::vector<ClassList>& lists,
               std::vector<std::optional<std::size_t>>& ids, const std::vector<std::size_t>& to_run,
               std::vector<std::optional<Outcome>>& fresh) {
    LevelStats stats;
    stats.faults = static_cast<int>(m);
    for (std::size_t r = 0; r < to_run.size(); ++r) {
      if (fresh[r]) {
        ids[to_run[r]] = store(std::move(*fresh[r]));
        ++stats.runs;
      }
    }
    std::vector<bool> ran(lists.size(), false);
    for (auto i : to_run) ran[i] = true;
    std::map<ClassList, std::size_t> current;
    for (std::size_t i = 0; i < lists.size(); ++i) {
      if (!ids[i]) {
        stats.complete = false;
        continue;
      }
      if (!ran[i]) ++stats.pruned;
      ++stats.classes;
      stats.schedules += classes_.stands_for(lists[i]);
      current[lists[i]] = *ids[i];
      explored_.push_back({lists[i], *ids[i]});
      if (outcomes_[*ids[i]].violated.empty()) continue;
      ++stats.violations;
      // Fewest faults first (levels go up), then the earliest points.
      if (!best || classes_.points(lists[i]) < classes_.points(*best)) best = lists[i];
    }
    report_.levels.push_back(stats);
    previous_ = std::move(current);
    return stats.complete && !best;
  }

  const spec::Scenario& plan_;
  const std::vector<Property>& properties_;
  const SearchOptions& options_;
  Report& report_;
  std::vector<Candidate> candidates_;
  Classes classes_;
  std::unordered_map<std::string, std::size_t> index_;
  Runner runner_;
  std::vector<Outcome> outcomes_;
  std::map<ClassList, std::size_t> previous_;  // the last level: class list -> outcome
  std::vector<std::pair<ClassList, std::size_t>> explored_;
};

}  // namespace

}  // namespace deploysim::verify

namespace deploysim::verify {

namespace {

[[noreturn]] void bad_option(const std::string& label, const std::string& expected,
                             const std::string& found) {
  throw input::InputError(input::InputProblem{.file = label, .expected = expected, .found = found});
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The probability of every point's fault, by candidate.
std::vector<double> point_probabilities(const std::vector<Candidate>& candidates,
                                        const SearchOptions& options) {
  std::vector<double> p(candidates.size(), 0.0);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (const auto& [kind, probability] : options.probabilities) {
      if (kind == candidates[i].fault.kind) p[i] = probability;
    }
  }
  return p;
}

// Faults at each point independently: P(exactly the faults S) = Q * prod(odds of S), with Q the
// chance of no fault at all. The unexplored mass is that of every schedule with more faults
// than the levels completed: 1 - Q * (e_0 + ... + e_L) over the elementary symmetric sums of the
// odds.
void add_probabilities(const Search& search, const SearchOptions& options, Report& report) {
  if (options.probabilities.empty()) return;
  const auto p = point_probabilities(search.candidates(), options);
  double q = 1.0;
  std::vector<double> odds(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    q *= 1.0 - p[i];
    odds[i] = p[i] / (1.0 - p[i]);
  }
  int complete = -1;
  for (const auto& level : report.levels) {
    if (!level.complete) break;
    complete = level.faults;
  }
  std::vector<double> e(static_cast<std::size_t>(std::max(0, complete)) + 1, 0.0);
  e[0] = 1.0;
  for (double r : odds) {
    for (std::size_t m = e.size() - 1; m >= 1; --m) e[m] += e[m - 1] * r;
  }
  double explored = 0.0;
  for (int m = 0; m <= complete; ++m) explored += e[static_cast<std::size_t>(m)];
  double violating = 0.0;
  for (const auto& [list, id] : search.explored()) {
    if (search.outcome(id).violated.empty()) continue;
    double odds_product = 1.0;
    for (auto point : search.classes().points(list)) odds_product *= odds[point];
    violating += q * odds_product * static_cast<double>(search.classes().stands_for(list));
  }
  report.violation_probability = violating;
  report.unexplored_probability = complete < 0 ? 1.0 : std::max(0.0, 1.0 - q * explored);
}

Counterexample counterexample(const Search& search, const ClassList& list,
                              const spec::Scenario& scenario,
                              const std::vector<Property>& properties, const SearchOptions& options,
                              std::size_t outcome) {
  Counterexample example;
  example.schedule = {scenario.name, options.seed, options.keep_scripted_faults, options.bounds,
                      search.faults_of(list)};
  for (auto p : search.outcome(outcome).violated) example.violated.push_back(properties[p].name());
  example.stands_for = search.classes().stands_for(list);
  example.result = replay(scenario, example.schedule);
  for (const auto& record : example.result.story) {
    example.story.push_back(simulation::clock_text(scenario, record.time, true) + "  " +
                            simulation::describe(record));
  }
  return example;
}

}  // namespace

void check_options(const SearchOptions& options) {
  if (options.max_faults < 0 || options.max_faults > kMaxFaults) {
    bad_option("k", "a number of faults from 0 to " + std::to_string(kMaxFaults),
               std::to_string(options.max_faults));
  }
  const double q = options.bounds.slow_quantile;
  if (!(q > 0.0 && q < 1.0)) {
    bad_option("slow quantile", "a quantile strictly between 0 and 1", number_text(q));
  }
  for (const auto& [kind, probability] : options.probabilities) {
    if (!(probability >= 0.0 && probability < 1.0)) {
      bad_option("probability of " + std::string(model::fault_kind_name(kind)),
                 "a probability from 0 up to (not including) 1", number_text(probability));
    }
  }
}

Report verify(const spec::Scenario& scenario, const std::vector<Property>& properties,
              const SearchOptions& options) {
  check_options(options);
  Report report;
  report.scenario = scenario.name;
  for (const auto& property : properties) report.properties.push_back(property.name());
  report.max_faults = options.max_faults;
  report.seed = options.seed;
  report.symmetry = options.symmetry;
  const auto plan = plan_scenario(scenario, options.keep_scripted_faults);
  Search search(plan, properties, options, report);
  search.run();
  add_probabilities(search, options, report);
  if (search.best) {
    report.verdict = Report::Verdict::violated;
    std::size_t id = 0;
    for (const auto& [list, outcome] : search.explored()) {
      if (list == *search.best) id = outcome;
    }
    report.counterexample = counterexample(search, *search.best, scenario, properties, options, id);
  } else if (static_cast<int>(report.levels.size()) <= options.max_faults ||
             !report.levels.back().complete) {
    report.verdict = Report::Verdict::incomplete;
  }
  return report;
}

}  // namespace deploysim::verify
