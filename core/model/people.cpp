#include "model/people.hpp"

namespace deploysim::model {

Responder::Responder(World& world, const spec::Person& person,
                     std::function<bool(std::string_view)> still_bad,
                     std::function<void(std::string_view, std::string_view)> page)
    : world_(world),
      person_(person),
      still_bad_(std::move(still_bad)),
      page_other_(std::move(page)),
      draws_(world.stream("person/" + person.name)) {}

void Responder::page(std::string_view alert) {
  if (busy()) return;
  if (const Fault* away = world_.fault_at(FaultKind::person_unreachable, person_.name)) {
    world_.note_fault(*away, person_.name + " does not answer the page for " + std::string(alert));
    return;
  }
  alert_ = std::string(alert);
  next_action_ = 0;
  stage_ = Stage::acknowledging;
  world_.kernel().wake_after(step_time(person_.acknowledge), *this, 0);
}

void Responder::on_wake(engine::Kernel& kernel, std::uint64_t /*tag*/) {
  switch (stage_) {
    case Stage::acknowledging:
      world_.record({kernel.now(), "acknowledged", person_.name, {{"alert", alert_}}}, true);
      stage_ = Stage::diagnosing;
      kernel.wake_after(step_time(person_.diagnose), *this, 0);
      return;
    case Stage::diagnosing:
      // A diagnosis that finds the problem gone ends the response.
      if (!still_bad_(alert_) || next_action_ >= person_.playbook.size()) {
        stage_ = Stage::idle;
        return;
      }
      stage_ = Stage::acting;
      kernel.wake_after(step_time(person_.act), *this, 0);
      return;
    case Stage::acting:
      perform(person_.playbook[next_action_++]);
      // Reassess: did it work?
      stage_ = Stage::diagnosing;
      kernel.wake_after(step_time(person_.diagnose), *this, 0);
      return;
    case Stage::idle:
      return;
  }
}

engine::Duration Responder::step_time(const engine::Distribution& distribution) {
  // Drawn whatever the plan, so that a fault leaves the person's later draws where they were.
  const engine::Duration drawn = distribution.sample_duration(draws_);
  if (world_.faults() == nullptr) return drawn;
  const Fault* slow = world_.fault_at(FaultKind::person_slow, person_.name);
  if (slow == nullptr) return drawn;
  world_.note_fault(*slow, person_.name + " takes the slow end of every step");
  return world_.faults()->slow(distribution);
}

void Responder::perform(const spec::Person::Response& response) {
  using spec::ActionKind;
  switch (response.action) {
    case ActionKind::set_flag:
      world_.set_flag(response.flag, response.group, response.value, 100.0, person_.name);
      return;
    case ActionKind::rollback_code:
      world_.rollback_code(response.group, person_.name, "responding to " + alert_);
      return;
    case ActionKind::halt:
    case ActionKind::remove:
      world_.command_capacity(response.action, response.group, response.hosts, person_.name,
                              "responding to " + alert_);
      return;
    case ActionKind::resume:
      world_.resume(response.group, person_.name);
      return;
    case ActionKind::page:
      world_.record({world_.now(), "paged", response.person, {{"by", person_.name}}}, true);
      page_other_(response.person, alert_);
      return;
    case ActionKind::deploy:
      return;
  }
}

}  // namespace deploysim::model
