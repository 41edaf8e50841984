// libFuzzer target: any bytes given to the manifest parser end in a Manifest or in one
// scenario::InputError whose problems are one line each, never in a crash, a hang, a leak or
// another exception; a manifest that parses can be checked, and every place a finding points
// at resolves in its text. Run it as docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "scenario/input_error.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "manifest_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // "-" (standard input): a scenario that extends another is read without touching files.
    const check::Manifest manifest = check::parse_manifest(text, "-");
    // Suppressions naming unknown rules are input errors too, found when the check runs.
    const check::CheckResult result = check::run_check(manifest, nullptr);
    for (const auto& finding : result.findings) {
      if (finding.location.range.start.line <= 0) fail("finding without a line", finding.message);
    }
  } catch (const scenario::InputError& error) {
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
