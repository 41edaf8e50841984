#pragma once
// The classroom window: scenario picker, run controls (Setup/Reset, Go/Pause, Step, Run until,
// speed), one run pane or two in lockstep (side-by-side), the parameters panel, the scenario's
// info panel, presentation mode and exports. The speed only paces how often the display asks
// the worker for the next slice; slices never change a run's result.

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "bookmarks.hpp"
#include "scenario_document.hpp"
#include "simulation/moments.hpp"
#include "theme.hpp"
#include "verify/schedule.hpp"

class QAction;
class QComboBox;
class QLabel;
class QSlider;
class QTextBrowser;
class QDockWidget;
class QToolBar;

namespace deploysim::gui {

class ParametersPanel;
class RunPane;
class ShortcutsOverlay;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Loads a scenario file and sets it up; on bad input shows the error dialog and returns false.
  bool open_scenario(const std::filesystem::path& path);
  /// Shows a second pane running `variant` with the same seed (nullopt: back to one pane).
  bool set_side_by_side(const std::optional<std::filesystem::path>& variant);
  /// Replays a counterexample of `deploysim verify` (its fault-schedule file) in a second pane,
  /// beside the fault-free run of the same plan; on a file that does not match the scenario shows
  /// the error dialog and returns false.
  bool replay_counterexample(const std::filesystem::path& schedule_file);
  /// Setup/Reset: applies pending parameters and starts the run(s) again from time 0.
  void reset();
  void go();
  void pause();
  bool running() const { return pacer_.isActive(); }
  void step();
  /// Shows the run as it was one event earlier (a deterministic re-run from the start).
  void step_back();
  /// Runs to the next moment of `kind` after the current event; false if the run has none.
  bool run_to_next(simulation::MomentKind kind);
  /// The bookmarks the classroom notes name (buttons in the Lesson bar).
  const std::vector<Bookmark>& bookmarks() const { return bookmarks_; }
  /// Jumps to bookmark `index` (forwards or back); false if this run has no such moment.
  bool go_to_bookmark(std::size_t index);
  /// W: the whole run so far, or a window following the clock.
  void set_following(bool following);
  bool following() const { return following_; }
  /// Runs until a time typed as in the "Run until…" dialog; false if it cannot be read.
  bool run_until_text(const QString& text);
  /// Speed in simulated seconds per real second.
  void set_speed_index(int index);
  double speed() const;
  /// Blocks (processing events) until every pane has its latest snapshot.
  void wait_idle();

  void set_high_contrast(bool on);
  void set_text_scale(double scale);
  double text_scale() const { return text_scale_; }
  void set_presentation(bool on);
  /// Presentation mode's text, contrast and layout, without going full screen (screenshots).
  void set_presentation_look(bool on);
  /// Brings the Parameters panel (true) or the About panel (false) to the front.
  void show_parameters(bool parameters);
  /// F1: shows or hides the shortcuts overlay.
  void toggle_overlay();

  bool shortcuts_shown() const;
  RunPane& primary() { return *primary_; }
  RunPane* secondary() { return secondary_; }
  ParametersPanel& parameters() { return *parameters_; }
  const LoadedScenario* loaded() const { return loaded_ ? &*loaded_ : nullptr; }
  QString info_markdown() const;

  /// Writes the edited scenario with its seed, so that the run can be repeated anywhere.
  bool export_run(const QString& file);
  bool export_charts(const QString& file);

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void build_toolbar();
  void build_lesson_bar();
  void rebuild_bookmark_buttons();
  /// Shortens the bookmark buttons' names, longest first, until every one fits the row.
  void fit_bookmark_buttons();
  /// Moves every pane to `stop`: the primary to its event count (or time), the variant to the
  /// primary's time, so that both show the same instant.
  void seek_all(std::optional<std::uint64_t> event, std::int64_t time_ms);
  void show_notice(const QString& text);
  void tick();
  void advance_all(std::int64_t target_ms);
  void show_error(const QString& title, const QString& text);
  void update_controls();
  std::uint64_t current_seed() const;

  std::optional<LoadedScenario> loaded_;
  std::optional<LoadedScenario> variant_;
  // A counterexample replayed in the second pane (variant_ then holds the plan it ran on).
  std::shared_ptr<const verify::Schedule> counterexample_;
  std::shared_ptr<const spec::Scenario> applied_;
  std::uint64_t applied_seed_ = 1;
  RunPane* primary_ = nullptr;
  RunPane* secondary_ = nullptr;
  ParametersPanel* parameters_ = nullptr;
  QTextBrowser* info_ = nullptr;
  QDockWidget* info_dock_ = nullptr;
  QDockWidget* parameters_dock_ = nullptr;
  ShortcutsOverlay* overlay_ = nullptr;

  QComboBox* scenario_box_ = nullptr;
  QComboBox* variant_box_ = nullptr;
  QAction* go_action_ = nullptr;
  QSlider* speed_slider_ = nullptr;
  QLabel* speed_label_ = nullptr;
  QLabel* status_ = nullptr;
  QToolBar* lesson_bar_ = nullptr;
  QToolBar* bookmarks_bar_ = nullptr;
  std::vector<QAction*> bookmark_actions_;
  std::vector<Bookmark> bookmarks_;
  bool following_ = false;

  QTimer pacer_;
  QElapsedTimer wall_;
  std::int64_t target_ms_ = 0;
  Theme theme_ = make_theme(false);
  double text_scale_ = 1.0;
};

}  // namespace deploysim::gui
