// The checker: a manifest (and an observed inventory) in, findings out. Findings reach Python in
// the shape of `deploysim check --format json`, produced by the same reporter, so that the two
// cannot disagree.

#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "check/manifest.hpp"
#include "check/report.hpp"
#include "check/rules.hpp"
#include "input/file.hpp"
#include "input/input_error.hpp"
#include "json_cast.hpp"

namespace deploysim::python {

namespace {

const check::RuleInfo& rule_named(const std::string& key) {
  const auto* rule = check::find_rule(key);
  if (rule == nullptr)
    throw py::value_error("unknown rule \"" + key + "\" (an ID such as DS001 or a name)");
  return *rule;
}

check::CheckOptions check_options(const std::vector<std::string>& disable,
                                  const std::map<std::string, std::string>& severity,
                                  const std::map<std::string, std::string>& baseline) {
  check::CheckOptions options;
  for (const auto& key : disable) options.enabled[std::string(rule_named(key).id)] = false;
  for (const auto& [key, level] : severity) {
    const auto parsed = check::parse_severity(level);
    if (!parsed)
      throw py::value_error("severity of " + key + " must be note, warning or error, not \"" +
                            level + "\"");
    options.severity[std::string(rule_named(key).id)] = *parsed;
  }
  options.baseline = baseline;
  return options;
}

py::object run(const std::string& manifest_text, const std::string& manifest_file,
               const std::optional<std::string>& inventory_text, const std::string& inventory_file,
               const std::vector<std::string>& disable,
               const std::map<std::string, std::string>& severity,
               const std::map<std::string, std::string>& baseline) {
  const auto options = check_options(disable, severity, baseline);
  std::string report;
  {
    py::gil_scoped_release release;
    const auto manifest = check::parse_manifest(manifest_text, manifest_file);
    std::optional<check::Inventory> inventory;
    if (inventory_text) inventory = check::parse_inventory(*inventory_text, inventory_file);
    if (manifest.hosts.empty()) {
      throw input::InputError(input::InputProblem{
          .file = manifest_file, .detail = "nothing to check: the manifest declares no hosts"});
    }
    const auto result = check::run_check(manifest, inventory ? &*inventory : nullptr, options);
    std::ostringstream out;
    check::write_report(out, check::Format::json, result, check::ReportContext{});
    report = out.str();
  }
  return to_python(nlohmann::ordered_json::parse(report));
}

py::list rules() {
  py::list out;
  for (const auto& rule : check::rule_catalogue()) {
    py::dict d;
    d["id"] = std::string(rule.id);
    d["name"] = std::string(rule.name);
    d["severity"] = std::string(check::severity_name(rule.severity));
    d["summary"] = std::string(rule.summary);
    d["description"] = std::string(rule.description);
    d["fix"] = std::string(rule.fix);
    d["tag"] = std::string(rule.tag);
    d["doc"] = check::rule_doc_path(rule);
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_check(py::module_& m) {
  m.def("check", &run, py::arg("manifest_text"), py::arg("manifest_file"),
        py::arg("inventory_text"), py::arg("inventory_file"), py::arg("disable"),
        py::arg("severity"), py::arg("baseline"),
        "Checks a manifest (and an observed inventory) given as JSON text; the report as "
        "`deploysim check --format json` prints it, as a dict.");
  m.def("check_rules", &rules, "Every checker rule, in ID order, as dicts.");
  m.def("read_input_file", &input::read_text_file, py::arg("file"),
        "A whole file as text; a missing or unreadable file raises ScenarioError.");
}

}  // namespace deploysim::python
