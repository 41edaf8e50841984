#pragma once
// People who respond to alerts: acknowledge, diagnose, act, then check whether it worked. Each
// step takes a time drawn from the person's own random stream. After an action they reassess
// (another diagnosis) and take the next action of their playbook if the alert still holds; this
// is how a wrong first action (Knight's code rollback) is followed by the one that works.

#include <functional>
#include <string>

#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

class Responder : public engine::Process {
 public:
  /// `still_bad(alert)` tells whether the alert that paged them still holds.
  Responder(World& world, const spec::Person& person,
            std::function<bool(std::string_view alert)> still_bad,
            std::function<void(std::string_view person, std::string_view alert)> page);

  /// Pages this person about `alert`. A person already working an incident carries on with it.
  void page(std::string_view alert);
  bool busy() const { return stage_ != Stage::idle; }
  const std::string& name() const { return person_.name; }

  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  enum class Stage { idle, acknowledging, diagnosing, acting };
  void perform(const spec::Person::Response& response);
  // How long one step takes: a draw, or the slow quantile under a person_slow fault.
  engine::Duration step_time(const engine::Distribution& distribution);

  World& world_;
  const spec::Person& person_;
  std::function<bool(std::string_view)> still_bad_;
  std::function<void(std::string_view, std::string_view)> page_other_;
  engine::RandomStream draws_;
  Stage stage_ = Stage::idle;
  std::string alert_;
  std::size_t next_action_ = 0;
};

}  // namespace deploysim::model
