// InputError becomes deploysim.ScenarioError, a ValueError whose `problems` hold the file, JSON
// pointer, expected, found, detail and hint of each problem (design principle 6).

#include <exception>

#include "bindings.hpp"
#include "input/input_error.hpp"

namespace deploysim::python {

namespace {

py::dict problem_dict(const input::InputProblem& problem) {
  py::dict d;
  d["file"] = problem.file;
  d["pointer"] = problem.pointer;
  d["expected"] = problem.expected;
  d["found"] = problem.found;
  d["detail"] = problem.detail;
  d["hint"] = problem.hint;
  d["line"] = problem.line;
  d["column"] = problem.column;
  d["message"] = problem.message();
  return d;
}

}  // namespace

void bind_errors(py::module_& /*m*/) {
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const input::InputError& error) {
      py::list problems;
      for (const auto& problem : error.problems()) problems.append(problem_dict(problem));
      // The class lives in Python (deploysim/errors.py) so that it documents itself.
      const py::object type = py::module_::import("deploysim.errors").attr("ScenarioError");
      const py::object instance = type(error.what(), problems);
      PyErr_SetObject(type.ptr(), instance.ptr());
    }
  });
}

}  // namespace deploysim::python
