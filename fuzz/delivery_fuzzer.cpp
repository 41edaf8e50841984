// libFuzzer target: any bytes given to the delivery models' readers (pipeline, drift and ROI
// files) end in a config that passes the model's validate(), limits included, or in one
// input::InputError whose problems are one line each; never in a crash, a hang, a leak or
// another exception. The first byte picks the reader, the rest is the document. Run it as
// docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "delivery/config.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "delivery_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// A production stage's scenario is looked for here, where there is none: the fuzzer reads
// configs, it does not calibrate against scenarios.
const std::filesystem::path kNoScenarios = "/nonexistent-deploysim-fuzz";

// What a reader accepted must pass validate() again: the readers and the flags share it.
template <class Config>
void revalidate(const Config& config) {
  try {
    delivery::validate(config);
  } catch (const std::exception& error) {
    fail("a config the reader accepted fails validate()", error.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const nlohmann::json document = input::parse_json_text(text, "fuzz.json");
    switch (data[0] % 3) {
      case 0:
        revalidate(delivery::pipeline_config_from_json(document, "fuzz.json", kNoScenarios));
        break;
      case 1:
        revalidate(delivery::drift_config_from_json(document, "fuzz.json"));
        break;
      default:
        revalidate(delivery::roi_inputs_from_json(document, "fuzz.json"));
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
