#include "json_cast.hpp"

#include <cstdint>
#include <string>

namespace deploysim::python {

namespace {

// The JSON path of a value inside the converted object, for the TypeError message.
nlohmann::json convert(py::handle value, const std::string& where) {
  if (value.is_none()) return nullptr;
  if (PyBool_Check(value.ptr())) return value.cast<bool>();
  if (PyLong_Check(value.ptr())) {
    // Integers beyond int64 keep their magnitude as unsigned, as the JSON reader does.
    int overflow = 0;
    const long long signed_value = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0) return static_cast<std::int64_t>(signed_value);
    if (overflow > 0) {
      const unsigned long long unsigned_value = PyLong_AsUnsignedLongLong(value.ptr());
      if (PyErr_Occurred() != nullptr) throw py::error_already_set();
      return static_cast<std::uint64_t>(unsigned_value);
    }
    throw py::value_error("integer too small for JSON at " + (where.empty() ? "/" : where));
  }
  if (PyFloat_Check(value.ptr())) return value.cast<double>();
  if (PyUnicode_Check(value.ptr())) return value.cast<std::string>();
  if (PyDict_Check(value.ptr())) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, item] : py::reinterpret_borrow<py::dict>(value)) {
      if (!PyUnicode_Check(key.ptr())) {
        throw py::type_error("a JSON object key must be a str, found " +
                             std::string(py::str(py::repr(key))) + " at " + where);
      }
      const auto name = key.cast<std::string>();
      object[name] = convert(item, where + "/" + name);
    }
    return object;
  }
  if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr())) {
    nlohmann::json array = nlohmann::json::array();
    std::size_t index = 0;
    for (const auto& item : value)
      array.push_back(convert(item, where + "/" + std::to_string(index++)));
    return array;
  }
  // numpy scalars (numpy.int64, numpy.float64, numpy.bool_) become plain Python values.
  if (py::hasattr(value, "item") && py::hasattr(value, "dtype") &&
      py::len(value.attr("shape")) == 0) {
    return convert(value.attr("item")(), where);
  }
  throw py::type_error("a " + std::string(py::str(value.get_type().attr("__name__"))) +
                       " has no JSON form (at " + (where.empty() ? "/" : where) +
                       "): use dict, list, str, int, float, bool or None");
}

template <class Json>
py::object to_python_impl(const Json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(value.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(value.template get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(value.template get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(value.template get<double>());
    case nlohmann::json::value_t::string:
      return py::str(value.template get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list list;
      for (const auto& item : value) list.append(to_python_impl(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      py::dict dict;
      for (const auto& [key, item] : value.items()) dict[py::str(key)] = to_python_impl(item);
      return dict;
    }
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return py::none();
}

}  // namespace

nlohmann::json to_json(py::handle value) {
  return convert(value, "");
}

py::object to_python(const nlohmann::json& value) {
  return to_python_impl(value);
}

py::object to_python(const nlohmann::ordered_json& value) {
  return to_python_impl(value);
}

}  // namespace deploysim::python
