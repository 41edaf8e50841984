#pragma once
// Per-run tables handed to pandas as numpy columns that own their C++ vectors (no copy).

#include <pybind11/numpy.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace deploysim::python {

namespace py = pybind11;

/// A 1-D numpy array that takes over `values`.
template <class T>
py::array_t<T> to_array(std::vector<T>&& values) {
  auto owner = std::make_unique<std::vector<T>>(std::move(values));
  const auto size = static_cast<py::ssize_t>(owner->size());
  T* data = owner->data();
  py::capsule base(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();
  return py::array_t<T>({size}, {static_cast<py::ssize_t>(sizeof(T))}, data, base);
}

}  // namespace deploysim::python
