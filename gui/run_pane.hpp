#pragma once
// One run on screen: read-outs (clock, events, loss), the fleet, the charts, the event log, the
// host inspector and the summary. The main window shows one pane, or two in side-by-side mode.

#include <QWidget>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <vector>

#include "snapshot.hpp"
#include "theme.hpp"
#include "verify/schedule.hpp"

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QTabWidget;
class QTableWidget;

namespace deploysim::spec {
struct Scenario;
}

namespace deploysim::gui {

class ChartsPanel;
class FleetView;
class RunHandle;

class RunPane : public QWidget {
  Q_OBJECT
 public:
  explicit RunPane(QWidget* parent = nullptr);
  ~RunPane() override;

  /// Starts a fresh run of `scenario` with `seed`; `title` heads the pane.
  void setup(std::shared_ptr<const spec::Scenario> scenario, std::uint64_t seed,
             const QString& title, std::shared_ptr<const verify::Schedule> faults = nullptr);
  RunHandle& handle() { return *handle_; }
  const std::shared_ptr<const spec::Scenario>& scenario() const { return scenario_; }
  void set_theme(const Theme& theme);
  /// Narrow layout for side-by-side mode.
  void set_compact(bool compact);
  ChartsPanel& charts() { return *charts_; }
  FleetView& fleet() { return *fleet_; }
  /// The event log as shown.
  QString event_log() const;
  std::optional<nlohmann::ordered_json> final_summary() const { return final_summary_; }
  /// The clock read-out as shown.
  QString clock_readout() const;
  QString events_readout() const;
  /// The misbehaving read-out as shown ("0 / 10").
  QString misbehaving_readout() const;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void show_snapshot(const std::shared_ptr<const Snapshot>& snapshot);
  /// Clock, loss or hosts serving, misbehaving and events of the latest snapshot, with captions
  /// short enough for the width each has.
  void show_readouts();
  /// Forgets what the widgets show of the run (log, charts, histories, summary).
  void clear_shown();
  void inspect(std::uint32_t host);
  void show_summary(const nlohmann::ordered_json& summary);

  std::unique_ptr<RunHandle> handle_;
  std::shared_ptr<const spec::Scenario> scenario_;
  std::shared_ptr<const Snapshot> latest_;
  std::optional<nlohmann::ordered_json> final_summary_;
  /// Loss at the latest monitoring sample (the live total would need a mid-run result()).
  double sampled_loss_usd_ = 0.0;
  std::unordered_map<std::uint32_t, std::vector<std::string>> host_history_;
  std::optional<std::uint32_t> inspected_;
  Theme theme_ = make_theme(false);

  QLabel* title_ = nullptr;
  QLabel* clock_ = nullptr;
  QLabel* events_ = nullptr;
  QLabel* loss_ = nullptr;
  QLabel* misbehaving_ = nullptr;
  FleetView* fleet_ = nullptr;
  ChartsPanel* charts_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QLabel* inspector_ = nullptr;
  QTableWidget* summary_ = nullptr;
  QSplitter* splitter_ = nullptr;
  QSplitter* left_ = nullptr;
};

}  // namespace deploysim::gui
