// Evaluating a property: after every event for its over-time parts, at the end for the rest.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "input/input_error.hpp"
#include "strategy/ring.hpp"
#include "verify/property.hpp"

namespace deploysim::verify {

using Op = Property::Node::Op;

namespace {

struct Value {
  enum class Kind { null, number, boolean, string } kind = Kind::null;
  double number = 0.0;
  std::string string;
  static Value of(double n) { return {Kind::number, n, {}}; }
  static Value truth(bool b) { return {Kind::boolean, b ? 1.0 : 0.0, {}}; }
  bool truthy() const { return kind != Kind::null && number != 0.0; }
};

Value from_json(const nlohmann::ordered_json& json) {
  if (json.is_boolean()) return Value::truth(json.get<bool>());
  if (json.is_number()) return Value::of(json.get<double>());
  if (json.is_string()) return {Value::Kind::string, 0.0, json.get<std::string>()};
  return {};
}

// The meaning flag `flag` has on version `version`: the behaviour it switches on ("" for none).
std::string flag_meaning(const model::World& world, std::uint32_t flag, model::VersionIndex v) {
  const auto& fleet = world.fleet();
  const auto& info = fleet.versions()[v];
  const auto& service = world.scenario().services[info.service];
  for (const auto& version : service.versions) {
    if (version.name != info.name) continue;
    const auto it = version.flag_behaviours.find(fleet.flags()[flag].name);
    return it == version.flag_behaviours.end() ? std::string() : it->second;
  }
  return {};
}

// Knight's invariant: no host sees a flag on while its version gives the flag another meaning
// than the deployment's target version does.
bool flags_consistent(const model::World& world) {
  const auto target = world.target_version();
  if (!target) return true;
  const auto& fleet = world.fleet();
  for (std::uint32_t f = 0; f < fleet.flags().size(); ++f) {
    const auto& on = fleet.flags()[f].on_in_group;
    if (std::find(on.begin(), on.end(), true) == on.end()) continue;
    const std::string intended = flag_meaning(world, f, *target);
    for (model::HostIndex h : world.inconsistent_hosts(f)) {
      if (fleet.flag_on_for(f, h) && flag_meaning(world, f, fleet.version_of(h)) != intended) {
        return false;
      }
    }
  }
  return true;
}

bool uniform_version(const model::World& world, std::string_view group) {
  const auto& fleet = world.fleet();
  const auto g = fleet.find_group(group);
  if (!g) return true;
  std::optional<model::VersionIndex> seen;
  for (model::HostIndex h : fleet.groups()[*g].hosts) {
    if (fleet.health_of(h) == model::Health::terminated) continue;
    if (seen && *seen != fleet.version_of(h)) return false;
    seen = fleet.version_of(h);
  }
  return true;
}

double first_ring_hosts(const model::World& world) {
  const auto& deployment = world.scenario().deployment;
  if (!deployment) return 0.0;
  if (const auto* rings = std::get_if<spec::RingParams>(&deployment->strategy)) {
    const auto plan = strategy::plan_rings(world, *rings);
    for (std::size_t r = 0; r < plan.ends.size(); ++r) {
      if (plan.size(r) > 0) return static_cast<double>(plan.size(r));
    }
  }
  // A canary's first step: its weight's share of the hosts, rounded up as the canary rounds
  // its pods.
  if (const auto* canary = std::get_if<spec::CanaryParams>(&deployment->strategy)) {
    for (const auto& step : canary->steps) {
      if (step.kind != spec::CanaryStep::Kind::set_weight || step.weight <= 0.0) continue;
      return std::ceil(step.weight / 100.0 * static_cast<double>(world.deployment_hosts().size()));
    }
  }
  return static_cast<double>(world.deployment_hosts().size());
}

}  // namespace

// Evaluates nodes; `temporal` is the state of the run's always/eventually parts.
class Evaluator {
 public:
  Evaluator(const Property& property, const model::World& world,
            const simulation::Simulation* simulation, const simulation::Summary* summary,
            const std::vector<std::int8_t>& seen)
      : nodes_(property.nodes_),
        world_(world),
        simulation_(simulation),
        summary_(summary),
        seen_(seen) {}

  Value eval(int index) {
    const auto& node = nodes_[static_cast<std::size_t>(index)];
    switch (node.op) {
      case Op::number:
        return Value::of(node.number);
      case Op::boolean:
        return Value::truth(node.number != 0.0);
      case Op::string:
        return {Value::Kind::string, 0.0, node.text};
      case Op::null:
        return {};
      case Op::key:
        return key(node.text);
      case Op::call:
        return call(node);
      case Op::not_:
        return Value::truth(!eval(node.args[0]).truthy());
      case Op::and_:
        return Value::truth(eval(node.args[0]).truthy() && eval(node.args[1]).truthy());
      case Op::or_:
        return Value::truth(eval(node.args[0]).truthy() || eval(node.args[1]).truthy());
      case Op::implies:
        return Value::truth(!eval(node.args[0]).truthy() || eval(node.args[1]).truthy());
      default:
        return compare(node.op, eval(node.args[0]), eval(node.args[1]));
    }
  }

 private:
  static Value compare(Op op, const Value& a, const Value& b) {
    // A quantity that did not occur compares equal only to null, and is never less or more.
    if (a.kind == Value::Kind::null || b.kind == Value::Kind::null) {
      const bool both = a.kind == b.kind;
      return Value::truth(op == Op::equal ? both : op == Op::not_equal && !both);
    }
    if (a.kind == Value::Kind::string || b.kind == Value::Kind::string) {
      const bool same = a.kind == b.kind && a.string == b.string;
      return Value::truth(op == Op::equal ? same : op == Op::not_equal && !same);
    }
    switch (op) {
      case Op::less:
        return Value::truth(a.number < b.number);
      case Op::less_equal:
        return Value::truth(a.number <= b.number);
      case Op::greater:
        return Value::truth(a.number > b.number);
      case Op::greater_equal:
        return Value::truth(a.number >= b.number);
      case Op::equal:
        return Value::truth(a.number == b.number);
      default:
        return Value::truth(a.number != b.number);
    }
  }

  Value key(const std::string& path) {
    // Inside always/eventually a key reads the summary as of now, outside the final one.
    if (!json_) {
      json_ = summary_ != nullptr ? summary_->to_json() : simulation_->snapshot().to_json();
    }
    const nlohmann::ordered_json* at = &*json_;
    std::size_t start = 0;
    while (start <= path.size()) {
      const auto dot = path.find('.', start);
      const auto part = path.substr(start, dot == std::string::npos ? dot : dot - start);
      if (!at->is_object() || !at->contains(part)) return {};
      at = &(*at)[part];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return from_json(*at);
  }

  Value call(const Property::Node& node) {
    using Fn = Property::Node::Fn;
    const auto& fleet = world_.fleet();
    const auto argument = [&] { return nodes_[static_cast<std::size_t>(node.args[0])].text; };
    switch (node.fn) {
      case Fn::always:
      case Fn::eventually:
        // always: not yet broken; eventually: met at some instant so far.
        return Value::truth(seen_[static_cast<std::size_t>(node.slot)] != 0);
      case Fn::flag_on: {
        const auto& on = fleet.flags()[*fleet.find_flag(argument())].on_in_group;
        return Value::truth(std::find(on.begin(), on.end(), true) != on.end());
      }
      case Fn::uniform_version:
        return Value::truth(uniform_version(world_, argument()));
      case Fn::hosts_on_version: {
        double count = 0.0;
        for (model::VersionIndex v = 0; v < fleet.versions().size(); ++v) {
          if (fleet.versions()[v].name == argument()) {
            count += static_cast<double>(fleet.hosts_on_version(v));
          }
        }
        return Value::of(count);
      }
      case Fn::misbehaving_hosts:
        return Value::of(static_cast<double>(fleet.totals().misbehaving_hosts));
      case Fn::serving_hosts:
        return Value::of(static_cast<double>(fleet.totals().serving_hosts));
      case Fn::serving_fraction: {
        const auto& t = fleet.totals();
        return Value::of(t.live_hosts > 0 ? static_cast<double>(t.serving_hosts) /
                                                static_cast<double>(t.live_hosts)
                                          : 0.0);
      }
      case Fn::served_mid_install:
        return Value::of(static_cast<double>(fleet.served_mid_install()));
      case Fn::flags_consistent:
        return Value::truth(flags_consistent(world_));
      case Fn::first_ring_hosts:
        return Value::of(first_ring_hosts(world_));
      case Fn::settled_within:
        return Value::truth(settled_within(nodes_[static_cast<std::size_t>(node.args[0])].number));
      case Fn::none:
        break;
    }
    return {};
  }

  // The deployment ended completed or rolled back within `limit` seconds of its start.
  bool settled_within(double limit) const {
    const auto& finished = world_.counters().deploy_finished_at;
    const auto outcome =
        world_.rollout() ? world_.rollout()->outcome() : model::DeployOutcome::not_started;
    const bool settled =
        outcome == model::DeployOutcome::completed || outcome == model::DeployOutcome::rolled_back;
    return settled && finished && world_.scenario().deployment &&
           (*finished - world_.scenario().deployment->start).to_seconds() <= limit;
  }

  const std::vector<Property::Node>& nodes_;
  const model::World& world_;
  const simulation::Simulation* simulation_;
  const simulation::Summary* summary_;
  const std::vector<std::int8_t>& seen_;
  std::optional<nlohmann::ordered_json> json_;
};

Property::Check::Check(const Property& property)
    : property_(property), seen_(static_cast<std::size_t>(property.temporal_slots_), 0) {
  // always starts unbroken (1), eventually unmet (0).
  for (const auto& node : property.nodes_) {
    if (node.fn == Node::Fn::always) seen_[static_cast<std::size_t>(node.slot)] = 1;
  }
}

void Property::Check::observe(const model::World& world, const simulation::Simulation& simulation) {
  Evaluator evaluator(property_, world, &simulation, nullptr, seen_);
  for (const auto& node : property_.nodes_) {
    if (node.slot < 0) continue;
    auto& seen = seen_[static_cast<std::size_t>(node.slot)];
    const bool always = node.fn == Node::Fn::always;
    // Once decided (always broken, eventually met) nothing later changes it.
    if (always ? seen == 0 : seen == 1) continue;
    const bool now = evaluator.eval(node.args[0]).truthy();
    if (always && !now) seen = 0;
    if (!always && now) seen = 1;
  }
}

bool Property::Check::holds(const model::World& world, const simulation::Summary& summary) const {
  Evaluator evaluator(property_, world, nullptr, &summary, seen_);
  return evaluator.eval(0).truthy();
}

const std::vector<std::string>& Property::builtin_names() {
  static const std::vector<std::string> names{
      "flag_consistency", "blast_radius:N",    "blast_radius:first_ring",
      "loss:USD",         "error_budget",      "settles:DURATION",
      "capacity:HOSTS",   "capacity:PERCENT%", "no_serving_mid_install",
  };
  return names;
}

namespace {
std::string all_builtins() {
  std::string all;
  for (const auto& n : Property::builtin_names()) all += (all.empty() ? "" : ", ") + n;
  return all;
}

[[noreturn]] void unknown_builtin(std::string_view name, const std::string& label) {
  std::vector<std::string> heads;
  for (const auto& n : Property::builtin_names()) heads.push_back(n.substr(0, n.find(':')));
  const auto hint = input::did_you_mean(std::string(name.substr(0, name.find(':'))), heads);
  throw input::InputError(input::InputProblem{
      .file = label,
      .expected = "a built-in property (" + all_builtins() + ") or an expression",
      .found = "\"" + std::string(name) + "\"",
      .hint = hint.empty() ? "" : "did you mean \"" + hint + "\"?"});
}

// The argument of a built-in as a number, checked here so the message names the built-in.
std::string number_arg(std::string_view name, std::string_view arg, const std::string& what,
                       const std::string& label) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(arg.data(), arg.data() + arg.size(), value);
  if (arg.empty() || error != std::errc() || end != arg.data() + arg.size() ||
      !std::isfinite(value) || value < 0.0) {
    throw input::InputError(input::InputProblem{
        .file = label,
        .expected = "\"" + std::string(name.substr(0, name.find(':'))) + ":" + what + "\"",
        .found = "\"" + std::string(name) + "\""});
  }
  return std::string(arg);
}

// The expression a built-in stands for, or nothing when `name` is not a built-in.
std::optional<std::string> builtin_expression(std::string_view name, const std::string& label) {
  const auto colon = name.find(':');
  const auto head = name.substr(0, colon);
  const auto arg = colon == std::string_view::npos ? std::string_view{} : name.substr(colon + 1);
  if (head == "flag_consistency") return "always(flags_consistent())";
  if (head == "error_budget") return "error_budget_consumed < 1";
  if (head == "no_serving_mid_install") return "always(served_mid_install() == 0)";
  if (head == "blast_radius") {
    if (arg == "first_ring") return "blast_radius_hosts <= first_ring_hosts()";
    return "blast_radius_hosts <= " + number_arg(name, arg, "N or first_ring", label);
  }
  if (head == "loss") return "loss_usd <= " + number_arg(name, arg, "USD", label);
  if (head == "settles") {
    try {
      const auto limit = engine::parse_duration(arg);
      return "settled_within(" + std::to_string(limit.to_seconds()) + ")";
    } catch (const std::invalid_argument&) {
      throw input::InputError(
          input::InputProblem{.file = label,
                              .expected = "\"settles:DURATION\" (e.g. settles:2h)",
                              .found = "\"" + std::string(name) + "\""});
    }
  }
  if (head == "capacity") {
    if (!arg.empty() && arg.back() == '%') {
      const auto percent = number_arg(name, arg.substr(0, arg.size() - 1), "PERCENT%", label);
      return "always(serving_fraction() >= " + std::to_string(std::stod(percent) / 100.0) + ")";
    }
    return "always(serving_hosts() >= " + number_arg(name, arg, "HOSTS", label) + ")";
  }
  if (colon != std::string_view::npos) unknown_builtin(name, label);
  return std::nullopt;
}

bool is_bare_word(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}
}  // namespace

Property Property::named(std::string_view name, const spec::Scenario& scenario,
                         const std::string& label) {
  const auto expression = builtin_expression(name, label);
  if (!expression) {
    // A bare word is meant as a built-in: a summary key alone is no property.
    if (is_bare_word(name)) unknown_builtin(name, label);
    return parse(name, scenario, label);
  }
  Property property = parse(*expression, scenario, label);
  property.name_ = std::string(name);
  return property;
}

}  // namespace deploysim::verify
