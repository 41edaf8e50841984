#pragma once
// Long C++ work with the GIL released and Ctrl-C honoured: the work runs on its own thread
// while the calling thread polls Python's signal handlers; KeyboardInterrupt raises the stop
// flag the experiment runners watch, waits for them to stop, and is then re-raised.

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <utility>

namespace deploysim::python {

namespace py = pybind11;

/// Calls `work(stop)` on a worker thread and returns its result. `stop` becomes true when a
/// signal handler raises (Ctrl-C); the Python exception then propagates once `work` returns.
template <class Work>
auto run_interruptible(Work&& work) {
  std::atomic<bool> stop{false};
  bool interrupted = false;
  std::future<decltype(work(stop))> future;
  {
    py::gil_scoped_release release;
    future = std::async(std::launch::async, [&] { return work(stop); });
    // Signal handlers run only on the main thread and only with the GIL held.
    while (future.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
      if (interrupted) continue;
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        interrupted = true;
        stop.store(true);
      }
    }
  }
  if (interrupted) {
    // The partial result is dropped; the pending KeyboardInterrupt (or other error) is raised.
    try {
      future.get();
    } catch (...) {
    }
    throw py::error_already_set();
  }
  return future.get();
}

}  // namespace deploysim::python
