// libFuzzer target: any bytes given to the manifest parser end in a Manifest or in one
// input::InputError whose problems are one line each, never in a crash, a hang, a leak or
// another exception; a manifest that parses can be checked, and every place a finding points
// at resolves in its text. Run it as docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "input/input_error.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "manifest_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Hosts a scenario's fleet counts. A scenario may declare up to 1,000,000 hosts for the checker,
// which takes seconds under the sanitizers: valid, slow, and of no interest to the fuzzer.
double scenario_hosts(std::string_view text) {
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_object() || !document.contains("fleet") || !document["fleet"].is_object()) {
    return 0;
  }
  double hosts = 0;
  for (const auto& group : document["fleet"]) {
    if (group.is_object() && group.contains("hosts") && group["hosts"].is_number()) {
      hosts += group["hosts"].get<double>();
    }
  }
  return hosts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (scenario_hosts(text) > 10'000) return -1;  // not kept in the corpus
  try {
    // "-" (standard input): a scenario that extends another is read without touching files.
    const check::Manifest manifest = check::parse_manifest(text, "-");
    // Suppressions naming unknown rules are input errors too, found when the check runs.
    const check::CheckResult result = check::run_check(manifest, nullptr);
    for (const auto& finding : result.findings) {
      if (finding.location.range.start.line <= 0) fail("finding without a line", finding.message);
    }
  } catch (const input::InputError& error) {
    if (error.problems().empty()) fail("an InputError without problems", error.what());
    for (const auto& problem : error.problems()) {
      const std::string message = problem.message();
      if (message.empty() || message.find('\n') != std::string::npos) {
        fail("a problem that is not one line", message);
      }
    }
  }
  return 0;
}
