// libFuzzer target: any bytes given to the Ansible reader as an `ansible-inventory --list`
// document and a fact file end in a check or in one input::InputError whose problems are one
// line each, never in a crash, a hang, a leak or another exception. The input is the inventory,
// then, after a line "--", the fact file of host "web-1" (the seeds' host). Inventories that
// read are checked, and every finding must point at a line. Run it as docs/fuzzing.md says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "check/ansible.hpp"
#include "check/rules.hpp"
#include "input/input_error.hpp"

namespace {

using namespace deploysim;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ansible_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = text.find("\n--\n");
  const check::NamedText inventory{"inventory.json", text.substr(0, split)};
  std::vector<check::NamedText> facts;
  if (split != std::string::npos) facts.push_back({"facts/web-1", text.substr(split + 4)});
  check::AnsibleOptions options;
  options.flag_vars = {"beta"};
  try {
    const auto input = check::read_ansible(inventory, facts, options);
    const auto result =
        check::run_check(input.manifest, input.inventory ? &*input.inventory : nullptr);
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
