// deploysim._core: the C++ simulator for Python. The package `deploysim` re-exports it and adds
// the pandas helpers; see docs/python.md.

#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "deploysim's C++ core (private: use the package `deploysim`).";
  m.attr("__version__") = DEPLOYSIM_VERSION;
  deploysim::python::bind_errors(m);
  deploysim::python::bind_scenario(m);
  deploysim::python::bind_simulation(m);
  deploysim::python::bind_experiment(m);
  deploysim::python::bind_statistics(m);
  deploysim::python::bind_check(m);
  deploysim::python::bind_roi(m);
  deploysim::python::bind_delivery(m);
  deploysim::python::bind_verify(m);
}
