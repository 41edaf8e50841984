#pragma once
// Bounded exhaustive search over fault schedules: every schedule of at most k faults at the
// decision points of the fault-free run, with symmetry reduction (interchangeable hosts form one
// class) and pruning (a fault whose decision point never arises changes nothing), on several
// threads with a result independent of their number (docs/verification.md).

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/fault_plan.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"
#include "verify/property.hpp"
#include "verify/schedule.hpp"

namespace deploysim::verify {

/// The largest k a search accepts: beyond it the schedules outgrow any machine.
inline constexpr int kMaxFaults = 5;

struct SearchOptions {
  /// At most this many faults per schedule (0..kMaxFaults).
  int max_faults = 2;
  /// The kinds of fault explored (empty: every kind).
  std::vector<model::FaultKind> kinds;
  model::FaultBounds bounds;
  std::uint64_t seed = 1;
  bool keep_scripted_faults = false;
  /// One representative per class of interchangeable decision points (off: every point).
  bool symmetry = true;
  /// Skip schedules whose run is known to equal a smaller schedule's.
  bool prune = true;
  int threads = 1;
  /// The probability of each kind of fault at each of its decision points, independently; kinds
  /// not listed have probability 0. Empty: no probability is computed.
  std::vector<std::pair<model::FaultKind, double>> probabilities;
  /// When it becomes true no new run starts; the report keeps what was explored.
  const std::atomic<bool>* stop = nullptr;
  /// Called with (runs done, runs planned, fault count of the level) as runs end, from one
  /// thread at a time.
  std::function<void(std::int64_t, std::int64_t, int)> progress;
};

/// A decision point of the fault-free run at which a fault is explored.
struct Candidate {
  model::Fault fault;
  engine::Time at;    ///< when the fault-free run reached it (its end if never)
  std::size_t klass;  ///< its symmetry class
};

/// What one level (schedules of exactly m faults) explored.
struct LevelStats {
  int faults = 0;
  std::int64_t classes = 0;     ///< schedules of representatives explored
  std::int64_t schedules = 0;   ///< schedules they stand for
  std::int64_t runs = 0;        ///< simulations run
  std::int64_t pruned = 0;      ///< representatives whose run equals a smaller one's
  std::int64_t violations = 0;  ///< representatives that violate a property
  bool complete = true;
};

struct Counterexample {
  Schedule schedule;
  std::vector<std::string> violated;  ///< names of the properties it breaks
  std::int64_t stands_for = 1;        ///< schedules its class of schedules stands for
  simulation::Result result;          ///< the run, replayed
  std::vector<std::string> story;     ///< the run's story in plain words, with times
};

struct Report {
  enum class Verdict { verified, violated, incomplete };
  Verdict verdict = Verdict::verified;
  std::string scenario;
  std::vector<std::string> properties;
  int max_faults = 0;
  std::uint64_t seed = 0;
  bool symmetry = true;
  std::int64_t decision_points = 0;
  std::int64_t point_classes = 0;
  std::vector<LevelStats> levels;
  std::optional<Counterexample> counterexample;
  /// With probabilities: the probability of a violating schedule among those explored, and the
  /// probability of a schedule not explored (more faults than the levels completed).
  std::optional<double> violation_probability;
  std::optional<double> unexplored_probability;

  std::string_view verdict_name() const;
  /// The exit code: 0 verified, 1 violated or incomplete.
  int exit_code() const { return verdict == Verdict::verified ? 0 : 1; }
  nlohmann::ordered_json to_json() const;
};

/// The decision points the fault-free run of `plan` reaches, and the static ones (alerts, people,
/// flags, groups), in the order explored: by time, then kind, then target.
std::vector<Candidate> decision_points(const spec::Scenario& plan, const SearchOptions& options);

/// Searches every schedule of at most options.max_faults faults for a violation of any of
/// `properties`. Throws input::InputError for bad options (k out of range, a bad quantile or
/// probability), located at the option's name.
Report verify(const spec::Scenario& scenario, const std::vector<Property>& properties,
              const SearchOptions& options);

/// Checks the options a search accepts; throws input::InputError naming `label` ("k", ...).
void check_options(const SearchOptions& options);

}  // namespace deploysim::verify
