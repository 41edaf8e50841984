// Scenario: the typed, validated scenario, built from a file, a dict or JSON text, and changed
// by dotted paths as `--set` does.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "experiment/sweep.hpp"
#include "input/json_reader.hpp"
#include "json_cast.hpp"
#include "scenario/load.hpp"

namespace deploysim::python {

using spec::Scenario;
using ScenarioPtr = std::shared_ptr<Scenario>;

void bind_scenario(py::module_& m) {
  py::class_<Scenario, ScenarioPtr>(m, "Scenario",
                                    "A validated scenario (see docs/scenario-format.md).")
      .def_static(
          "load",
          [](const std::filesystem::path& path, const std::vector<std::string>& overrides) {
            return std::make_shared<Scenario>(scenario::load_scenario(path, overrides));
          },
          py::arg("path"), py::arg("overrides") = std::vector<std::string>{},
          "Loads a scenario file (variants with \"extends\" resolved), then applies overrides "
          "written \"path=value\" as --set does.")
      .def_static(
          "from_dict",
          [](const py::dict& document, const std::string& file) {
            return std::make_shared<Scenario>(scenario::parse_scenario(to_json(document), file));
          },
          py::arg("document"), py::arg("file") = "<memory>",
          "Validates a scenario given as a dict; `file` labels errors.")
      .def_static(
          "from_json",
          [](const std::string& text, const std::string& file) {
            return std::make_shared<Scenario>(
                scenario::parse_scenario(input::parse_json_text(text, file), file));
          },
          py::arg("text"), py::arg("file") = "<memory>",
          "Validates a scenario given as JSON text; `file` labels errors.")
      .def(
          "with_values",
          [](const Scenario& self, const py::dict& values) {
            nlohmann::json document = self.source;
            for (const auto& [path, value] : values) {
              const auto key = py::str(path).cast<std::string>();
              scenario::set_value(document, key, to_json(value), "with_values \"" + key + "\"",
                                  self.file);
            }
            return std::make_shared<Scenario>(scenario::parse_scenario(document, self.file));
          },
          py::arg("values"), "A copy with values changed: {\"deployment.strategy.batch_size\": 5}.")
      .def(
          "to_dict", [](const Scenario& self) { return to_python(self.source); },
          "The scenario document (after variants and overrides) as a dict.")
      .def(
          "to_json", [](const Scenario& self, int indent) { return self.source.dump(indent); },
          py::arg("indent") = -1, "The scenario document as JSON text.")
      .def_property_readonly(
          "hash", [](const Scenario& self) { return experiment::scenario_hash(self.source); },
          "FNV-1a hash of the document, as printed with CLI results.")
      .def_readonly("name", &Scenario::name, "The scenario's name.")
      .def_readonly("description", &Scenario::description, "What it models.")
      .def_readonly("sources", &Scenario::sources, "Where its facts come from.")
      .def_readonly("seed", &Scenario::seed, "The default seed of a run.")
      .def_readonly("file", &Scenario::file, "The file it was read from, or \"<memory>\".")
      .def_property_readonly(
          "end_s", [](const Scenario& self) { return self.clock.end.to_seconds(); },
          "Simulated seconds from the start to the end of a run.");
}

}  // namespace deploysim::python
