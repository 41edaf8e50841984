#pragma once
// A staged flag, configuration or content push (spec::Change): stage after stage the flag reaches
// more hosts, each stage bakes, alerts named in `abort_on` stop the push and turn the flag back,
// and anybody turning the flag off stops it. The deployment's strategies move code; this moves a
// flag through the same world, so that both can run in one scenario.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/world.hpp"
#include "spec/change.hpp"

namespace deploysim::strategy {

/// How a change ended, or where it is.
enum class ChangeOutcome {
  not_started,
  in_progress,
  completed,    ///< every stage applied and baked with no abort alert
  rolled_back,  ///< an abort alert fired: the flag is back as it was before the push
  stopped,      ///< somebody turned the flag off: the remaining stages were dropped
  blocked,      ///< the pre-flight gate refused the push: nothing changed
};
std::string_view change_outcome_name(ChangeOutcome outcome);

/// A change's result in the run's summary (docs/scenario-format.md, "Changes").
struct ChangeSummary {
  std::string name;
  std::string kind;
  std::string flag;
  std::string strategy;
  ChangeOutcome outcome = ChangeOutcome::not_started;
  std::size_t stages_total = 0;
  std::size_t stages_done = 0;  ///< stages applied
  std::optional<double> started_s;
  std::optional<double> ended_s;  ///< completed, rolled back, stopped or blocked
  std::string reason;             ///< why it ended early (the alert, who turned it off)
  nlohmann::ordered_json to_json() const;
};

class FlagPush {
 public:
  using AlertQuery = std::function<bool(std::string_view alert)>;
  /// `firing` tells whether an alert fires now (the analysis at the end of each bake).
  FlagPush(model::World& world, const spec::Change& change, AlertQuery firing);

  /// Checks the pre-flight gate and applies the first stage.
  void begin();
  /// An alert fired (and is not ignored): if the push names it in abort_on, it rolls back.
  void alert_fired(std::string_view alert);
  /// Someone turned the push's flag off: the remaining stages are dropped.
  void flag_turned_off(std::uint32_t flag, std::string_view who);

  ChangeSummary summary() const;

 private:
  void apply_stage(std::size_t index);
  void stage_baked(std::size_t index);
  void roll_back(const std::string& alert);
  void end(ChangeOutcome outcome, std::string reason);
  std::optional<std::string> preflight_refusal() const;
  std::int64_t hosts_with_flag_on() const;

  model::World& world_;
  const spec::Change& change_;
  AlertQuery firing_;
  std::uint32_t flag_ = 0;
  std::vector<std::uint32_t> scope_;    // group indices the flag reaches
  std::vector<std::uint32_t> reached_;  // group indices the push turned on so far
  // The flag as it was before the first stage, to turn it back.
  std::vector<bool> before_on_;
  double before_percent_ = 100.0;
  ChangeOutcome outcome_ = ChangeOutcome::not_started;
  std::size_t stages_done_ = 0;
  std::optional<engine::Time> started_;
  std::optional<engine::Time> ended_;
  std::string reason_;
};

}  // namespace deploysim::strategy
