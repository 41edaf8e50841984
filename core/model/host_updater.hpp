#pragma once
// The life of one host update, whatever strategy asked for it: drain, install (failed installs
// are retried), start on the new version, health check, back into rotation. A host whose version
// crashes on start ends crashed. Strategies decide which hosts and when; this decides how.

#include <cstdint>
#include <vector>

#include "engine/kernel.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

/// Told when a host update ends; `ok` is false for a host that crashed or ran out of retries.
class HostUpdateListener {
 public:
  virtual ~HostUpdateListener() = default;
  virtual void host_updated(HostIndex host, bool ok) = 0;
};

class HostUpdater : public engine::Process {
 public:
  /// `stream_name` names the random streams of installs (one family per updater).
  HostUpdater(World& world, const spec::HostUpdate& timing, HostUpdateListener& listener,
              std::string_view stream_name = "host/install");

  /// Starts updating `host` to `version`. A host already being updated is left alone. With
  /// `into_rotation` false the host ends out of rotation (a blue/green preview pod) instead of
  /// healthy, so it takes no production traffic until the strategy switches it in.
  void update(HostIndex host, VersionIndex version, bool into_rotation = true);
  /// Abandons every update in flight (a rollback or halt): pending steps are cancelled, and each
  /// host returns to where its update would have left it (in rotation or not) with whatever
  /// version it has now, unless it crashed.
  void cancel_all();
  /// Hosts whose update has started and not ended.
  std::int64_t in_flight() const { return in_flight_; }
  bool is_updating(HostIndex host) const {
    return host < stage_.size() && stage_[host] != Stage::idle;
  }

  void on_wake(engine::Kernel& kernel, std::uint64_t host) override;

 private:
  enum class Stage : std::uint8_t { idle, draining, installing, checking };
  void begin_install(HostIndex host);
  void end(HostIndex host, bool ok);
  Health ready_health(HostIndex host) const {
    return into_rotation_[host] ? Health::healthy : Health::out_of_rotation;
  }
  enum class Draw : unsigned { duration, failure };
  // The fault planned for this host at a decision point (model/fault_plan.hpp), or nullptr.
  const Fault* fault(FaultKind kind, HostIndex host) const {
    return world_.faults() == nullptr ? nullptr
                                      : world_.fault_at(kind, world_.fleet().host_name(host));
  }
  // Whether this attempt fails: by chance, or by a planned fault.
  bool install_fails(HostIndex host, engine::RandomStream& stream) const;
  engine::RandomStream draws(HostIndex host, Draw draw) const;

  World& world_;
  const spec::HostUpdate& timing_;
  HostUpdateListener& listener_;
  std::uint64_t stream_family_;
  std::vector<Stage> stage_;
  std::vector<std::uint8_t> attempts_;
  std::vector<VersionIndex> target_;
  std::vector<engine::TimerId> timer_;
  std::vector<bool> into_rotation_;
  std::int64_t in_flight_ = 0;
};

}  // namespace deploysim::model
