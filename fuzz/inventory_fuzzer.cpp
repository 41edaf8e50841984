// libFuzzer target: any bytes given to the inventory parser end in an Inventory or in one
// input::InputError whose problems are one line each, never in a crash, a hang, a leak or
// another exception. The streaming reader and the strict reader must agree: parse_inventory and
// parse_inventory_strict accept the same texts and read them alike. An inventory that parses is
// checked against a small manifest, and every place a finding points at resolves in its text.
// Run it as docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "input/input_error.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "inventory_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// The manifest the fuzzed inventories are checked against: the hosts and flags the seeds use.
const check::Manifest& manifest() {
  static const check::Manifest parsed = check::parse_manifest(R"({
    "manifest_version": 1,
    "behaviours": {"old": {"retired": true}, "new": {}},
    "services": {"smars": {"versions": {"legacy": {"flags": {"power_peg": "old"}},
                                        "rlp": {"flags": {"power_peg": "new"}}}}},
    "groups": {"smars": {"service": "smars", "version": "rlp", "config": {"threads": 8},
                         "config_revision": "r2",
                         "hosts": ["smars-1", "smars-2", "smars-3", "smars-8"]}},
    "flags": {"power_peg": {"on": true, "meaning": "new"}}
  })",
                                                              "manifest.json");
  return parsed;
}

struct Outcome {
  std::optional<check::Inventory> inventory;
  std::string error;
};

template <typename Parse>
Outcome attempt(Parse parse) {
  Outcome outcome;
  try {
    outcome.inventory = parse();
  } catch (const input::InputError& error) {
    outcome.error = error.what();
    if (error.problems().empty()) fail("an InputError without problems", outcome.error);
    for (const auto& problem : error.problems()) {
      const std::string message = problem.message();
      if (message.empty() || message.find('\n') != std::string::npos) {
        fail("a problem that is not one line", message);
      }
    }
  }
  return outcome;
}

bool same_host(const check::ObservedHost& a, const check::ObservedHost& b) {
  return a.name == b.name && a.version == b.version && a.config == b.config &&
         a.config_hash == b.config_hash && a.config_revision == b.config_revision &&
         a.flags == b.flags && a.converged_ms == b.converged_ms && a.pointer == b.pointer &&
         a.ignore == b.ignore;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Outcome fast = attempt([&] { return check::parse_inventory(text, "inventory.json"); });
  const Outcome strict =
      attempt([&] { return check::parse_inventory_strict(text, "inventory.json"); });
  if (fast.inventory.has_value() != strict.inventory.has_value() || fast.error != strict.error) {
    fail("the two readers disagree", fast.error + " | " + strict.error);
  }
  if (!fast.inventory) return 0;
  const check::Inventory& a = *fast.inventory;
  const check::Inventory& b = *strict.inventory;
  if (a.observed_ms != b.observed_ms || a.hosts.size() != b.hosts.size()) {
    fail("the two readers read different inventories", "observed_at or number of hosts");
  }
  for (std::size_t i = 0; i < a.hosts.size(); ++i) {
    if (!same_host(a.hosts[i], b.hosts[i]))
      fail("the two readers read a host differently", a.hosts[i].pointer);
  }
  try {
    const check::CheckResult result = check::run_check(manifest(), &a);
    for (const auto& finding : result.findings) {
      if (finding.location.range.start.line <= 0) fail("finding without a line", finding.message);
    }
  } catch (const input::InputError&) {
    // Suppressions naming unknown rules are input errors, found when the check runs.
  }
  return 0;
}
