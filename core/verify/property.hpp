#pragma once
// Properties a rollout plan must keep: the built-in ones (Knight's invariant, blast radius, loss,
// error budget, settling in time, a capacity floor) and a small expression language over summary
// keys and over-time predicates (docs/verification.md, "Properties"):
//
//   max_hosts_misbehaving <= 80
//   always(flag_on(power_peg) implies uniform_version(smars))
//
// Every built-in is an expression of the same language, so there is one evaluator.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "model/world.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::verify {

/// A parsed property: immutable, shared by every run of a search.
class Property {
 public:
  /// Parses `text` against `scenario` (the keys, flags, groups and versions it may name). Throws
  /// input::InputError at `label`, line 1 and the column of the problem.
  static Property parse(std::string_view text, const spec::Scenario& scenario,
                        const std::string& label = "property");
  /// The built-in property `name` ("flag_consistency", "blast_radius:80", "loss:1e6", ...), or
  /// an expression when `name` is none of them. Throws input::InputError for an unknown built-in
  /// or a bad argument.
  static Property named(std::string_view name, const spec::Scenario& scenario,
                        const std::string& label = "property");
  /// The built-in names, with the form of their argument, for help and errors.
  static const std::vector<std::string>& builtin_names();

  /// The property as the user named it, and as an expression.
  const std::string& name() const { return name_; }
  const std::string& expression() const { return text_; }
  /// Whether it must be checked after every event (it has always/eventually).
  bool temporal() const { return temporal_slots_ > 0; }

  struct Node;
  /// The state of one run's check: what the over-time parts have seen so far.
  class Check {
   public:
    explicit Check(const Property& property);
    /// After each event (and once before the first): advances always/eventually.
    void observe(const model::World& world, const simulation::Simulation& simulation);
    /// The verdict at the end of the run.
    bool holds(const model::World& world, const simulation::Summary& summary) const;

   private:
    const Property& property_;
    std::vector<std::int8_t> seen_;  // by temporal slot: always broken / eventually met
  };

 private:
  std::string name_;
  std::string text_;
  std::vector<Node> nodes_;  // nodes_[0] is the root
  int temporal_slots_ = 0;
  friend class Parser;
  friend class Evaluator;
};

/// One node of a property's expression tree.
struct Property::Node {
  enum class Op : std::uint8_t {
    number,
    boolean,
    string,
    null,
    key,
    call,
    not_,
    and_,
    or_,
    implies,
    less,
    less_equal,
    greater,
    greater_equal,
    equal,
    not_equal
  };
  /// The functions of the language, resolved when parsed so an event's check compares no text.
  enum class Fn : std::uint8_t {
    none,
    always,
    eventually,
    flag_on,
    uniform_version,
    hosts_on_version,
    misbehaving_hosts,
    serving_hosts,
    serving_fraction,
    served_mid_install,
    flags_consistent,
    settled_within,
    first_ring_hosts
  };
  Op op = Op::null;
  Fn fn = Fn::none;
  double number = 0.0;
  std::string text;         // key path, function name or string literal
  std::vector<int> args;    // children (node indices)
  int slot = -1;            // always/eventually: its slot in Check::seen_
  std::uint32_t index = 0;  // a resolved flag, group or version
};

}  // namespace deploysim::verify
