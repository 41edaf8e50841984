// libFuzzer target: any bytes given to the scenario reader (the JSON reader, then the loader's
// one validation pass) end in a spec::Scenario or in one input::InputError whose problems are
// one line each, never in a crash, a hang, a leak or another exception. Run it as
// docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "scenario/load.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "scenario_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Hosts the fleet declares. Up to ten million are valid, and naming each one takes seconds
// under the sanitizers, which would read as a hang: valid, slow, and of no interest here.
double fleet_hosts(const nlohmann::json& document) {
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

void check_one_line_problems(const input::InputError& error) {
  if (error.problems().empty()) fail("an InputError without problems", error.what());
  for (const auto& problem : error.problems()) {
    const std::string message = problem.message();
    if (message.empty() || message.find('\n') != std::string::npos) {
      fail("a problem that is not one line", message);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json document = input::parse_json_text(text, "fuzz.json");
    if (fleet_hosts(document) > 10'000) return -1;  // not kept in the corpus
    const spec::Scenario scenario = scenario::parse_scenario(document, "fuzz.json");
    if (scenario.groups.empty()) fail("a scenario without hosts", scenario.name);
  } catch (const input::InputError& error) {
    check_one_line_problems(error);
  }
  return 0;
}
