#include "model/restart_demo.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/random.hpp"

namespace deploysim::model {

namespace {

using engine::Duration;
using engine::Kernel;
using engine::RandomStream;
using engine::Time;

// One process serves every server: the wake-up tag is the server index.
class RestartFleet : public engine::Process {
 public:
  RestartFleet(const RestartDemoConfig& config, engine::TraceSink* trace)
      : config_(config), trace_(trace) {
    servers_.reserve(static_cast<std::size_t>(config.servers));
    for (int i = 0; i < config.servers; ++i) {
      const std::string prefix = "server/" + std::to_string(i);
      servers_.push_back(Server{RandomStream(config.seed, prefix + "/failure"),
                                RandomStream(config.seed, prefix + "/restart"), true, Time{}});
    }
  }

  void start(Kernel& kernel) {
    for (std::size_t i = 0; i < servers_.size(); ++i) schedule_failure(kernel, i);
  }

  void on_wake(Kernel& kernel, std::uint64_t tag) override {
    Server& server = servers_[tag];
    if (server.up) {
      server.up = false;
      server.down_since = kernel.now();
      ++result_.failures;
      record(kernel.now(), "server_failed", tag, {});
      kernel.wake_after(config_.restart_time.sample_duration(server.restart_draws), *this, tag);
    } else {
      server.up = true;
      ++result_.restarts_completed;
      const Duration outage = kernel.now() - server.down_since;
      note_outage(outage, tag);
      record(kernel.now(), "server_restarted", tag, {{"outage_s", outage.to_seconds()}});
      schedule_failure(kernel, tag);
    }
  }

  RestartDemoResult finish(const Kernel& kernel) {
    // Servers still down at the horizon count their downtime up to it.
    for (std::size_t i = 0; i < servers_.size(); ++i) {
      if (!servers_[i].up) note_outage(kernel.now() - servers_[i].down_since, i);
    }
    const double server_ms = static_cast<double>(config_.horizon.ms()) * config_.servers;
    result_.availability = 1.0 - static_cast<double>(result_.total_downtime.ms()) / server_ms;
    result_.events_processed = kernel.events_processed();
    return result_;
  }

 private:
  struct Server {
    RandomStream failure_draws;
    RandomStream restart_draws;
    bool up;
    Time down_since;
  };

  void schedule_failure(Kernel& kernel, std::size_t index) {
    Server& server = servers_[index];
    kernel.wake_after(config_.time_to_failure.sample_duration(server.failure_draws), *this, index);
  }

  void note_outage(Duration outage, std::size_t index) {
    result_.total_downtime += outage;
    if (outage > result_.longest_outage) {
      result_.longest_outage = outage;
      result_.longest_outage_server = static_cast<int>(index);
    }
  }

  void record(Time at, const char* event, std::size_t index,
              std::vector<engine::TraceField> fields) {
    if (trace_ == nullptr) return;
    trace_->write({at, event, demo_server_name(static_cast<int>(index)), std::move(fields)});
  }

  const RestartDemoConfig& config_;
  engine::TraceSink* trace_;
  std::vector<Server> servers_;
  RestartDemoResult result_;
};

}  // namespace

std::string demo_server_name(int index) {
  return "server-" + std::to_string(index + 1);
}

RestartDemoResult run_restart_demo(const RestartDemoConfig& config, engine::TraceSink* trace) {
  if (config.servers < 1) throw std::invalid_argument("the demo needs at least one server");
  if (config.horizon <= Duration{}) throw std::invalid_argument("the horizon must be positive");
  Kernel kernel;
  RestartFleet fleet(config, trace);
  fleet.start(kernel);
  kernel.run_until(Time::zero() + config.horizon);
  if (trace != nullptr) trace->flush();
  return fleet.finish(kernel);
}

}  // namespace deploysim::model
