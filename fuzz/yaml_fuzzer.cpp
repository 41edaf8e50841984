// libFuzzer target: any bytes given to the YAML reader, and through it to the Kubernetes
// reader, end in documents or in one input::InputError whose problems are one line each with
// a line number, never in a crash, a hang, a leak, another exception or unbounded memory (alias
// expansion is bounded). Kubernetes input that reads is checked, and every finding must point
// at a line. Run it as docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check/kubernetes.hpp"
#include "check/rules.hpp"
#include "input/input_error.hpp"
#include "input/yaml_reader.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "yaml_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_error(const input::InputError& error, bool needs_line) {
  if (error.problems().empty()) fail("an InputError without problems", error.what());
  for (const auto& problem : error.problems()) {
    const std::string message = problem.message();
    if (message.empty() || message.find('\n') != std::string::npos) {
      fail("a problem that is not one line", message);
    }
    if (needs_line && problem.line <= 0) fail("a YAML problem without a line", message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // A smaller budget than the default keeps each run fast under the sanitizers.
    input::parse_yaml_documents(text, "in.yaml", {.max_nodes = 100'000});
  } catch (const input::InputError& error) {
    check_error(error, true);
    return 0;
  }
  try {
    const auto input = check::read_kubernetes({{"in.yaml", text}}, nullptr);
    const auto result = check::run_check(input.manifest, nullptr);
    for (const auto& finding : result.findings) {
      if (finding.location.range.start.line <= 0) fail("finding without a line", finding.message);
    }
  } catch (const input::InputError& error) {
    check_error(error, false);
  }
  return 0;
}
