#pragma once
// Conversions between Python objects and JSON documents, for scenarios as dicts and for results.

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace deploysim::python {

namespace py = pybind11;

/// A Python value (dict with str keys, list, tuple, str, int, float, bool, None, or a numpy
/// scalar) as JSON. Raises TypeError naming the first value that has no JSON form.
nlohmann::json to_json(py::handle value);

/// A JSON value as plain Python objects (null -> None), objects in their stored key order.
py::object to_python(const nlohmann::json& value);
py::object to_python(const nlohmann::ordered_json& value);

}  // namespace deploysim::python
