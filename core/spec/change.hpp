#pragma once
// A change other than the code deployment: a flag flip, or a configuration or content push
// modelled as a flag whose versions' `flag_behaviours` say what the new configuration does. Each
// change has its own staged strategy, pre-flight gate and automated analysis
// (docs/scenario-format.md, "Changes").

#include <string>
#include <vector>

#include "engine/time.hpp"

namespace deploysim::spec {

/// One stage of a change: the flag reaches more hosts, then the change bakes before the next.
struct ChangeStage {
  std::string name;
  /// Groups this stage adds to those of earlier stages; empty: the flag's whole scope.
  std::vector<std::string> groups;
  /// Percentage of hosts in the groups reached so far that see the flag on.
  double percent = 100.0;
  engine::Duration bake = engine::Duration::seconds(0);
};

/// A staged push of a flag to on.
struct Change {
  enum class Kind { flag, config, content };
  std::string name;
  Kind kind = Kind::flag;
  std::string flag;
  engine::Time start;
  /// The strategy as written ("all_at_once", "rings", "canary", "rolling"), for the summary.
  std::string strategy = "all_at_once";
  /// In order; percentages never fall and groups only ever add (the loader checks it).
  std::vector<ChangeStage> stages;
  /// Pre-flight gate: the push is refused while a live host in the flag's scope runs a version
  /// not in this list (empty: no gate).
  std::vector<std::string> require_versions;
  /// Alerts whose firing during the push (up to the end of the last stage's bake) stops it and
  /// turns the flag back as it was before the push.
  std::vector<std::string> abort_on;
};

/// "flag", "config" or "content".
inline const char* change_kind_name(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::config:
      return "config";
    case Change::Kind::content:
      return "content";
    case Change::Kind::flag:
      break;
  }
  return "flag";
}

}  // namespace deploysim::spec
