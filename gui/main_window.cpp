#include "main_window.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QSlider>
#include <QStatusBar>
#include <QTextBrowser>
#include <QToolBar>
#include <algorithm>
#include <tuple>

#include "charts_panel.hpp"
#include "input/utf8.hpp"
#include "io/output_file.hpp"
#include "parameters_panel.hpp"
#include "run_handle.hpp"
#include "run_pane.hpp"
#include "spec/scenario.hpp"

namespace deploysim::gui {

namespace fs = std::filesystem;

namespace {

// Simulated seconds per real second, slowest first.
const std::vector<std::pair<double, const char*>> kSpeeds = {
    {1, "1 s/s"},    {5, "5 s/s"},        {15, "15 s/s"},    {30, "30 s/s"},
    {60, "1 min/s"}, {120, "2 min/s"},    {300, "5 min/s"},  {900, "15 min/s"},
    {3600, "1 h/s"}, {6 * 3600, "6 h/s"}, {86400, "1 day/s"}};
constexpr int kDefaultSpeed = 4;

// The same file named two ways ("scenarios/x.json", "/work/scenarios/x.json") is one entry.
QString path_key(const fs::path& path) {
  std::error_code ignored;
  return QString::fromStdString(fs::weakly_canonical(path, ignored).string());
}
constexpr int kFrameMs = 16;

const char* kShortcuts =
    "<h2>Shortcuts</h2><table cellpadding=6>"
    "<tr><td><b>Space</b></td><td>Go / Pause</td></tr>"
    "<tr><td><b>→ / ←</b></td><td>Step one event forward / back (a re-run)</td></tr>"
    "<tr><td><b>A M F B S E</b></td><td>Run to the next alert, first misbehaving host, flag "
    "change, rollback, scaling event, incident end</td></tr>"
    "<tr><td><b>1 … 9</b></td><td>Go to a bookmark of the classroom notes</td></tr>"
    "<tr><td><b>W</b></td><td>Charts: whole run so far / following window</td></tr>"
    "<tr><td><b>Ctrl+R</b></td><td>Setup / Reset (applies pending parameters)</td></tr>"
    "<tr><td><b>Ctrl+U</b></td><td>Run until…</td></tr>"
    "<tr><td><b>+ / −</b></td><td>Faster / slower</td></tr>"
    "<tr><td><b>Ctrl+= / Ctrl+−</b></td><td>Larger / smaller text</td></tr>"
    "<tr><td><b>Ctrl+H</b></td><td>High-contrast theme</td></tr>"
    "<tr><td><b>F5</b></td><td>Presentation mode (large text, high contrast, full screen)</td></tr>"
    "<tr><td><b>F11</b></td><td>Full screen</td></tr>"
    "<tr><td><b>Ctrl+O</b></td><td>Open a scenario file</td></tr>"
    "<tr><td><b>F1</b></td><td>This overlay</td></tr></table>";

// The title of a counterexample's pane: its faults.
QString counterexample_title(const verify::Schedule& schedule) {
  QString faults;
  for (const auto& fault : schedule.faults) {
    faults += (faults.isEmpty() ? "" : ", ") +
              QString::fromStdString(std::string(model::fault_kind_name(fault.kind)) + " " +
                                     fault.target);
  }
  return QObject::tr("counterexample: %1").arg(faults.isEmpty() ? QObject::tr("no fault") : faults);
}

}  // namespace

/// F1: the shortcuts over the whole window, dimming it; any key or click closes it.
class ShortcutsOverlay : public QWidget {
 public:
  explicit ShortcutsOverlay(QWidget* parent) : QWidget(parent) {
    label_ = new QLabel(kShortcuts, this);
    label_->setTextFormat(Qt::RichText);
    label_->setStyleSheet(
        "QLabel { background: rgba(20,20,20,235); color: white; padding: 24px; border-radius: "
        "10px; }");
    hide();
  }
  void showEvent(QShowEvent*) override { place(); }
  void place() {
    if (parentWidget()) setGeometry(parentWidget()->rect());
    label_->adjustSize();
    label_->move((width() - label_->width()) / 2, (height() - label_->height()) / 2);
    raise();
  }
  void paintEvent(QPaintEvent*) override { QPainter(this).fillRect(rect(), QColor(0, 0, 0, 120)); }
  void mousePressEvent(QMouseEvent*) override { hide(); }

 private:
  QLabel* label_;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("deploysim — classroom"));
  auto* central = new QWidget(this);
  auto* panes = new QHBoxLayout(central);
  panes->setContentsMargins(0, 0, 0, 0);
  primary_ = new RunPane(central);
  panes->addWidget(primary_);
  setCentralWidget(central);

  parameters_ = new ParametersPanel(this);
  parameters_dock_ = new QDockWidget(tr("Parameters"), this);
  parameters_dock_->setObjectName("parameters");
  parameters_dock_->setWidget(parameters_);
  addDockWidget(Qt::LeftDockWidgetArea, parameters_dock_);
  info_ = new QTextBrowser(this);
  info_->setOpenExternalLinks(true);
  info_dock_ = new QDockWidget(tr("About this scenario"), this);
  info_dock_->setObjectName("info");
  info_dock_->setWidget(info_);
  addDockWidget(Qt::LeftDockWidgetArea, info_dock_);
  tabifyDockWidget(parameters_dock_, info_dock_);
  info_dock_->raise();

  status_ = new QLabel(this);
  statusBar()->addWidget(status_, 1);
  build_toolbar();
  build_lesson_bar();
  overlay_ = new ShortcutsOverlay(this);

  pacer_.setInterval(kFrameMs);
  connect(&pacer_, &QTimer::timeout, this, &MainWindow::tick);
  connect(parameters_, &ParametersPanel::pending_changed, this,
          [this](bool) { update_controls(); });
  set_speed_index(kDefaultSpeed);
  set_high_contrast(false);
}

MainWindow::~MainWindow() = default;

void MainWindow::build_toolbar() {
  auto* bar = addToolBar(tr("Run"));
  bar->setObjectName("run");
  bar->setMovable(false);
  scenario_box_ = new QComboBox(bar);
  scenario_box_->setObjectName("scenario");
  scenario_box_->setMinimumContentsLength(22);
  for (const auto& path : bundled_scenarios()) {
    scenario_box_->addItem(QString::fromStdString(path.stem().string()), path_key(path));
  }
  scenario_box_->addItem(tr("Open file…"));
  scenario_box_->setCurrentIndex(-1);
  bar->addWidget(scenario_box_);
  connect(scenario_box_, &QComboBox::activated, this, [this](int index) {
    QString file = scenario_box_->itemData(index).toString();
    if (file.isEmpty())
      file = QFileDialog::getOpenFileName(this, tr("Open scenario"), {}, tr("Scenarios (*.json)"));
    if (!file.isEmpty()) open_scenario(file.toStdString());
  });

  auto add = [&](const QString& text, QKeySequence key, auto slot) {
    auto* action = bar->addAction(text);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, slot);
    return action;
  };
  add(tr("Setup/Reset"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] { reset(); });
  go_action_ = add(tr("Go"), QKeySequence(Qt::Key_Space), [this] { running() ? pause() : go(); });
  add(tr("Step →"), QKeySequence(Qt::Key_Right), [this] { step(); });
  add(tr("Run until…"), QKeySequence(Qt::CTRL | Qt::Key_U), [this] {
    if (!applied_) return;
    bool ok = false;
    const QString text = QInputDialog::getText(
        this, tr("Run until"), tr("Time (\"10:15\", \"2012-08-01T10:15\", \"+45min\" or \"end\"):"),
        QLineEdit::Normal, "end", &ok);
    if (ok && !run_until_text(text))
      show_error(tr("Run until"), tr("Cannot read the time \"%1\".").arg(text));
  });
  bar->addSeparator();
  bar->addWidget(new QLabel(tr(" Speed "), bar));
  speed_slider_ = new QSlider(Qt::Horizontal, bar);
  speed_slider_->setRange(0, static_cast<int>(kSpeeds.size()) - 1);
  speed_slider_->setMaximumWidth(180);
  speed_slider_->setObjectName("speed");
  bar->addWidget(speed_slider_);
  speed_label_ = new QLabel(bar);
  speed_label_->setMinimumWidth(speed_label_->fontMetrics().horizontalAdvance("15 min/s  "));
  bar->addWidget(speed_label_);
  connect(speed_slider_, &QSlider::valueChanged, this, &MainWindow::set_speed_index);
  auto* faster = new QAction(this);
  faster->setShortcuts({QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
  connect(faster, &QAction::triggered, this,
          [this] { set_speed_index(speed_slider_->value() + 1); });
  auto* slower = new QAction(this);
  slower->setShortcut(QKeySequence(Qt::Key_Minus));
  connect(slower, &QAction::triggered, this,
          [this] { set_speed_index(speed_slider_->value() - 1); });
  addAction(faster);
  addAction(slower);

  bar->addSeparator();
  bar->addWidget(new QLabel(tr(" Side by side: "), bar));
  variant_box_ = new QComboBox(bar);
  variant_box_->setObjectName("variant");
  variant_box_->setMinimumContentsLength(18);
  variant_box_->addItem(tr("(off)"));
  for (const auto& path : bundled_scenarios()) {
    variant_box_->addItem(QString::fromStdString(path.stem().string()), path_key(path));
  }
  variant_box_->addItem(tr("Open file…"), QString("?"));
  bar->addWidget(variant_box_);
  connect(variant_box_, &QComboBox::activated, this, [this](int index) {
    QString file = variant_box_->itemData(index).toString();
    if (file == "?")
      file = QFileDialog::getOpenFileName(this, tr("Open variant"), {}, tr("Scenarios (*.json)"));
    if (file.isEmpty()) {
      set_side_by_side(std::nullopt);
    } else {
      set_side_by_side(fs::path(file.toStdString()));
    }
  });

  auto* replay = new QAction(tr("Replay counterexample…"), this);
  replay->setObjectName("replay_counterexample");
  replay->setToolTip(
      tr("Open a fault schedule written by 'deploysim verify --counterexample' "
         "and run it beside the fault-free run"));
  connect(replay, &QAction::triggered, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Replay counterexample"), {},
                                                      tr("Fault schedules (*.json)"));
    if (!file.isEmpty()) replay_counterexample(file.toStdString());
  });
  bar->addAction(replay);

  bar->addSeparator();
  auto* view = new QAction(tr("Export charts…"), this);
  connect(view, &QAction::triggered, this, [this] {
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export charts"), "charts.png", tr("PNG (*.png)"));
    if (!file.isEmpty() && !export_charts(file))
      show_error(tr("Export"), tr("Could not write %1").arg(file));
  });
  bar->addAction(view);
  auto* run = new QAction(tr("Export run…"), this);
  connect(run, &QAction::triggered, this, [this] {
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export run"), "run.json", tr("Scenario (*.json)"));
    if (!file.isEmpty() && !export_run(file))
      show_error(tr("Export"), tr("Could not write %1").arg(file));
  });
  bar->addAction(run);

  auto* open = new QAction(this);
  open->setShortcut(QKeySequence::Open);
  connect(open, &QAction::triggered, this, [this] {
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Open scenario"), {}, tr("Scenarios (*.json)"));
    if (!file.isEmpty()) open_scenario(file.toStdString());
  });
  auto* bigger = new QAction(this);
  bigger->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus)});
  connect(bigger, &QAction::triggered, this, [this] { set_text_scale(text_scale_ + 0.2); });
  auto* smaller = new QAction(this);
  smaller->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
  connect(smaller, &QAction::triggered, this, [this] { set_text_scale(text_scale_ - 0.2); });
  auto* contrast = new QAction(this);
  contrast->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
  connect(contrast, &QAction::triggered, this,
          [this] { set_high_contrast(!theme_.high_contrast); });
  auto* full = new QAction(this);
  full->setShortcut(QKeySequence(Qt::Key_F11));
  connect(full, &QAction::triggered, this,
          [this] { isFullScreen() ? showNormal() : showFullScreen(); });
  auto* present = new QAction(this);
  present->setShortcut(QKeySequence(Qt::Key_F5));
  connect(present, &QAction::triggered, this, [this] { set_presentation(!isFullScreen()); });
  auto* help = new QAction(this);
  help->setShortcut(QKeySequence(Qt::Key_F1));
  connect(help, &QAction::triggered, this, &MainWindow::toggle_overlay);
  for (auto* action : {open, bigger, smaller, contrast, full, present, help}) addAction(action);
}

bool MainWindow::open_scenario(const fs::path& path) {
  try {
    LoadedScenario loaded = load_scenario_file(path);
    pause();
    loaded_ = std::move(loaded);
  } catch (const std::exception& error) {
    show_error(tr("Cannot open the scenario"), QString::fromStdString(error_text(error)));
    return false;
  }
  int index = scenario_box_->findData(path_key(path));
  if (index < 0) {
    // A file from elsewhere joins the list, so the picker always names what is open.
    index = scenario_box_->count() - 1;
    scenario_box_->insertItem(index, QString::fromStdString(path.stem().string()), path_key(path));
  }
  scenario_box_->setCurrentIndex(index);
  parameters_->set_document(loaded_->document, loaded_->scenario->seed);
  info_->setMarkdown(info_markdown());
  setWindowTitle(QString::fromStdString(loaded_->scenario->name) + tr(" — deploysim"));
  bookmarks_ = parse_bookmarks(classroom_notes(loaded_->path));
  rebuild_bookmark_buttons();
  reset();
  return true;
}

QString MainWindow::info_markdown() const {
  if (!loaded_) return {};
  const auto& s = *loaded_->scenario;
  std::string text = "# " + s.name + "\n\n" + s.description + "\n\n";
  const std::string notes = notes_without_targets(classroom_notes(loaded_->path));
  if (!notes.empty()) text += notes + "\n\n";
  if (!s.sources.empty()) {
    text += "### Sources\n\n";
    for (const auto& source : s.sources) text += "- " + source + "\n";
  }
  return QString::fromStdString(text);
}

bool MainWindow::set_side_by_side(const std::optional<fs::path>& variant) {
  pause();
  counterexample_.reset();
  if (!variant) {
    variant_.reset();
    delete secondary_;
    secondary_ = nullptr;
    primary_->set_compact(false);
    variant_box_->setCurrentIndex(0);
    reset();
    return true;
  }
  try {
    variant_ = load_scenario_file(*variant);
  } catch (const std::exception& error) {
    show_error(tr("Cannot open the variant"), QString::fromStdString(error_text(error)));
    return false;
  }
  if (!secondary_) {
    secondary_ = new RunPane(centralWidget());
    centralWidget()->layout()->addWidget(secondary_);
    secondary_->set_theme(theme_);
  }
  const int index = variant_box_->findData(path_key(*variant));
  if (index >= 0) variant_box_->setCurrentIndex(index);
  primary_->set_compact(true);
  secondary_->set_compact(true);
  reset();
  return true;
}

bool MainWindow::replay_counterexample(const fs::path& schedule_file) {
  if (!applied_) return false;
  pause();
  std::shared_ptr<const verify::Schedule> schedule;
  try {
    schedule = std::make_shared<const verify::Schedule>(
        verify::read_schedule(schedule_file.string(), *applied_));
  } catch (const std::exception& error) {
    show_error(tr("Cannot replay the counterexample"), QString::fromStdString(error_text(error)));
    return false;
  }
  counterexample_ = std::move(schedule);
  variant_ = LoadedScenario{schedule_file, {}, nullptr};
  if (!secondary_) {
    secondary_ = new RunPane(centralWidget());
    centralWidget()->layout()->addWidget(secondary_);
    secondary_->set_theme(theme_);
  }
  primary_->set_compact(true);
  secondary_->set_compact(true);
  reset();
  return true;
}

std::uint64_t MainWindow::current_seed() const {
  return parameters_->seed();
}

void MainWindow::reset() {
  if (!loaded_) return;
  pause();
  try {
    applied_ = parse_document(parameters_->edited_document(), loaded_->path.string());
  } catch (const std::exception& error) {
    show_error(tr("The parameters do not make a valid scenario"),
               QString::fromStdString(error_text(error)));
    return;
  }
  parameters_->mark_applied();
  const std::uint64_t seed = current_seed();
  applied_seed_ = seed;
  if (counterexample_) {
    // Both panes run the plan verify judged (a replay's scripted faults removed unless kept):
    // the left without faults, the right under the counterexample, with its seed.
    auto plan = std::make_shared<const spec::Scenario>(
        verify::plan_scenario(*applied_, counterexample_->keep_scripted_faults));
    primary_->setup(plan, counterexample_->seed,
                    tr("%1 (no fault)").arg(QString::fromStdString(applied_->name)));
    secondary_->setup(plan, counterexample_->seed, counterexample_title(*counterexample_),
                      counterexample_);
    target_ms_ = 0;
    update_controls();
    return;
  }
  primary_->setup(applied_, seed, QString::fromStdString(applied_->name));
  if (secondary_ && variant_) {
    secondary_->setup(variant_->scenario, seed, QString::fromStdString(variant_->scenario->name));
  }
  target_ms_ = 0;
  update_controls();
}

void MainWindow::go() {
  if (!applied_) return;
  set_following(true);
  wall_.start();
  pacer_.start();
  update_controls();
}

void MainWindow::pause() {
  pacer_.stop();
  update_controls();
}

double MainWindow::speed() const {
  return kSpeeds[static_cast<std::size_t>(speed_slider_->value())].first;
}

void MainWindow::set_speed_index(int index) {
  index = std::clamp(index, 0, static_cast<int>(kSpeeds.size()) - 1);
  if (speed_slider_->value() != index) speed_slider_->setValue(index);
  speed_label_->setText(kSpeeds[static_cast<std::size_t>(index)].second);
}

void MainWindow::advance_all(std::int64_t target_ms) {
  target_ms_ = target_ms;
  primary_->handle().advance_to(target_ms);
  if (secondary_) secondary_->handle().advance_to(target_ms);
}

void MainWindow::tick() {
  // The display asks for the next slice only when the previous one has arrived, so a slow
  // machine shows fewer frames, never a different run.
  const bool busy = primary_->handle().busy() || (secondary_ && secondary_->handle().busy());
  const double elapsed_s = static_cast<double>(wall_.restart()) / 1000.0;
  if (busy) return;
  const auto& latest = primary_->handle().latest();
  const bool done =
      latest && latest->finished &&
      (!secondary_ || (secondary_->handle().latest() && secondary_->handle().latest()->finished));
  if (done) {
    pause();
    // The end of a run shows the whole story.
    set_following(false);
    return;
  }
  const auto advance = static_cast<std::int64_t>(speed() * std::min(elapsed_s, 0.25) * 1000.0);
  advance_all(std::min(target_ms_ + std::max<std::int64_t>(advance, 1), applied_->clock.end.ms()));
  update_controls();
}

void MainWindow::step() {
  if (!applied_) return;
  pause();
  primary_->handle().wait_idle();
  primary_->handle().step_one();
  primary_->handle().wait_idle();
  // Lockstep: the variant catches up to the primary's clock.
  target_ms_ = primary_->handle().latest() ? primary_->handle().latest()->now_ms : target_ms_;
  if (secondary_) secondary_->handle().advance_to(target_ms_);
  update_controls();
}

void MainWindow::step_back() {
  if (!applied_) return;
  pause();
  wait_idle();
  const auto& latest = primary_->handle().latest();
  if (!latest || latest->events == 0) return;
  seek_all(latest->events - 1, latest->now_ms);
}

bool MainWindow::run_to_next(simulation::MomentKind kind) {
  if (!applied_) return false;
  pause();
  wait_idle();
  const auto& latest = primary_->handle().latest();
  if (!latest || !latest->moments) return false;
  const auto* moment = simulation::next_moment(*latest->moments, kind, latest->events);
  const QString name = QString::fromUtf8(simulation::moment_kind_name(kind).data());
  if (moment == nullptr) {
    show_notice(tr("No further %1 in this run.").arg(name));
    return false;
  }
  seek_all(moment->event, moment->time.ms());
  show_notice(tr("Stopped at the next %1: %2").arg(name, QString::fromStdString(moment->text)));
  return true;
}

bool MainWindow::go_to_bookmark(std::size_t index) {
  if (!applied_ || index >= bookmarks_.size()) return false;
  pause();
  wait_idle();
  const auto& latest = primary_->handle().latest();
  if (!latest || !latest->moments) return false;
  const Bookmark& bookmark = bookmarks_[index];
  const auto stop = resolve_bookmark(bookmark.target, *applied_, *latest->moments);
  if (!stop) {
    show_notice(tr("This run has no \"%1\".").arg(QString::fromStdString(bookmark.target)));
    return false;
  }
  seek_all(stop->event, stop->time.ms());
  show_notice(tr("Bookmark: %1").arg(QString::fromStdString(bookmark.name)));
  return true;
}

void MainWindow::seek_all(std::optional<std::uint64_t> event, std::int64_t time_ms) {
  event ? primary_->handle().seek_event(*event) : primary_->handle().seek_time(time_ms);
  primary_->handle().wait_idle();
  // Lockstep: the variant shows the primary's instant.
  target_ms_ = primary_->handle().latest() ? primary_->handle().latest()->now_ms : time_ms;
  if (secondary_) secondary_->handle().seek_time(target_ms_);
  wait_idle();
  update_controls();
}

void MainWindow::set_following(bool following) {
  following_ = following;
  primary_->charts().set_following(following);
  if (secondary_) secondary_->charts().set_following(following);
}

void MainWindow::show_notice(const QString& text) {
  statusBar()->showMessage(text, 8000);
}

void MainWindow::build_lesson_bar() {
  addToolBarBreak();
  lesson_bar_ = addToolBar(tr("Lesson"));
  lesson_bar_->setObjectName("lesson");
  lesson_bar_->setMovable(false);
  auto* back = lesson_bar_->addAction(tr("← Back"));
  back->setShortcut(QKeySequence(Qt::Key_Left));
  back->setToolTip(tr("One event back: the run is re-run from its start to there"));
  connect(back, &QAction::triggered, this, &MainWindow::step_back);
  lesson_bar_->addWidget(new QLabel(tr("  Run to next: "), lesson_bar_));
  const std::vector<std::tuple<simulation::MomentKind, QString, Qt::Key>> kinds = {
      {simulation::MomentKind::alert, tr("alert"), Qt::Key_A},
      {simulation::MomentKind::first_misbehaving, tr("misbehaving"), Qt::Key_M},
      {simulation::MomentKind::flag_change, tr("flag"), Qt::Key_F},
      {simulation::MomentKind::rollback, tr("rollback"), Qt::Key_B},
      {simulation::MomentKind::scaling, tr("scaling"), Qt::Key_S},
      {simulation::MomentKind::incident_end, tr("incident end"), Qt::Key_E}};
  for (const auto& [kind, text, key] : kinds) {
    auto* action = lesson_bar_->addAction(text);
    action->setShortcut(QKeySequence(key));
    action->setObjectName(QString("next_") + simulation::moment_kind_name(kind).data());
    connect(action, &QAction::triggered, this, [this, kind = kind] { run_to_next(kind); });
  }
  // The bookmarks get a row of their own: beside the run-to-next buttons they would fall into
  // the toolbar's overflow menu on a projector, where no one sees them.
  addToolBarBreak();
  bookmarks_bar_ = addToolBar(tr("Bookmarks"));
  bookmarks_bar_->setObjectName("bookmarks");
  bookmarks_bar_->setMovable(false);
  auto* window = new QAction(this);
  window->setShortcut(QKeySequence(Qt::Key_W));
  connect(window, &QAction::triggered, this, [this] { set_following(!following_); });
  addAction(window);
}

void MainWindow::rebuild_bookmark_buttons() {
  for (auto* action : bookmark_actions_) {
    bookmarks_bar_->removeAction(action);
    action->deleteLater();
  }
  bookmark_actions_.clear();
  for (std::size_t i = 0; i < bookmarks_.size(); ++i) {
    auto* action = new QAction(
        QString("%1 %2").arg(i + 1).arg(QString::fromStdString(bookmarks_[i].name)), lesson_bar_);
    if (i < 9) action->setShortcut(QKeySequence(Qt::Key_1 + static_cast<int>(i)));
    action->setToolTip(tr("%1 (bookmark from the classroom notes: %2)")
                           .arg(QString::fromStdString(bookmarks_[i].name),
                                QString::fromStdString(bookmarks_[i].target)));
    connect(action, &QAction::triggered, this, [this, i] { go_to_bookmark(i); });
    bookmarks_bar_->addAction(action);
    bookmark_actions_.push_back(action);
  }
  bookmarks_bar_->setVisible(!bookmarks_.empty());
  fit_bookmark_buttons();
}

void MainWindow::fit_bookmark_buttons() {
  if (bookmark_actions_.empty()) return;
  // Every bookmark stays on screen: when their names do not all fit, the longest are shortened
  // to an equal share of the room the shorter ones leave (the whole name is in the tooltip).
  const QFontMetrics metrics(QApplication::font());
  const int padding = metrics.horizontalAdvance("00");
  std::vector<QString> full;
  std::vector<int> widths;
  for (std::size_t i = 0; i < bookmarks_.size(); ++i) {
    full.push_back(QString("%1 %2").arg(i + 1).arg(QString::fromStdString(bookmarks_[i].name)));
    widths.push_back(metrics.horizontalAdvance(full.back()));
  }
  std::vector<int> sorted = widths;
  std::sort(sorted.begin(), sorted.end());
  int room = std::max(0, width() - 24) - padding * static_cast<int>(sorted.size());
  int cap = sorted.back();
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const int share = room / static_cast<int>(sorted.size() - i);
    if (sorted[i] > share) {
      cap = share;
      break;
    }
    room -= sorted[i];
  }
  for (std::size_t i = 0; i < bookmark_actions_.size(); ++i) {
    bookmark_actions_[i]->setText(
        widths[i] <= cap ? full[i] : metrics.elidedText(full[i], Qt::ElideRight, cap));
  }
}

bool MainWindow::run_until_text(const QString& text) {
  if (!applied_) return false;
  const auto time = parse_time_text(*applied_, text.toStdString());
  if (!time) return false;
  pause();
  advance_all(std::min(time->ms(), applied_->clock.end.ms()));
  update_controls();
  return true;
}

void MainWindow::wait_idle() {
  primary_->handle().wait_idle();
  if (secondary_) secondary_->handle().wait_idle();
}

void MainWindow::update_controls() {
  go_action_->setText(running() ? tr("Pause") : tr("Go"));
  QString text;
  if (loaded_) text = QString::fromStdString(loaded_->path.filename().string());
  if (parameters_->pending()) text += tr("  ·  parameters pending: Reset applies them");
  text += tr("  ·  F1: shortcuts");
  status_->setText(text);
}

void MainWindow::show_error(const QString& title, const QString& text) {
  pause();
  // Not exec(): the window stays live, and tests can find the box by its name.
  auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
  box->setObjectName("input_error");
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setTextInteractionFlags(Qt::TextSelectableByMouse);
  box->open();
}

void MainWindow::set_high_contrast(bool on) {
  theme_ = make_theme(on);
  apply_theme(*qApp, theme_, text_scale_);
  speed_label_->setMinimumWidth(QFontMetrics(QApplication::font()).horizontalAdvance("15 min/s  "));
  fit_bookmark_buttons();
  primary_->set_theme(theme_);
  if (secondary_) secondary_->set_theme(theme_);
}

void MainWindow::set_text_scale(double scale) {
  text_scale_ = std::clamp(scale, 0.8, 1.8);
  set_high_contrast(theme_.high_contrast);
}

void MainWindow::set_presentation(bool on) {
  set_presentation_look(on);
  on ? showFullScreen() : showNormal();
}

void MainWindow::set_presentation_look(bool on) {
  set_text_scale(on ? 1.6 : 1.0);
  set_high_contrast(on);
  // On a projector the run is the lesson: the side panels give it their room.
  info_dock_->setVisible(!on);
  parameters_dock_->setVisible(!on);
}

void MainWindow::toggle_overlay() {
  overlay_->setVisible(!overlay_->isVisible());
  if (overlay_->isVisible()) overlay_->place();
}

void MainWindow::show_parameters(bool parameters) {
  (parameters ? parameters_dock_ : info_dock_)->raise();
}

bool MainWindow::shortcuts_shown() const {
  return overlay_->isVisible();
}

void MainWindow::keyPressEvent(QKeyEvent* event) {
  if (overlay_->isVisible()) {
    overlay_->hide();
    return;
  }
  QMainWindow::keyPressEvent(event);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
  QMainWindow::resizeEvent(event);
  fit_bookmark_buttons();
  if (overlay_->isVisible()) overlay_->place();
}

bool MainWindow::export_run(const QString& file) {
  if (!applied_) return false;
  nlohmann::json document = applied_->source;
  document["seed"] = applied_seed_;
  try {
    io::write_output_file(file.toStdString(),
                          [&](std::ostream& out) { out << input::dump_json(document, 2) << '\n'; });
  } catch (const io::OutputError&) {
    return false;
  }
  return true;
}

bool MainWindow::export_charts(const QString& file) {
  QImage image = primary_->charts().render_image();
  if (secondary_) {
    const QImage right = secondary_->charts().render_image();
    QImage both(image.width() + right.width(), std::max(image.height(), right.height()),
                QImage::Format_ARGB32);
    both.fill(theme_.background);
    QPainter painter(&both);
    painter.drawImage(0, 0, image);
    painter.drawImage(image.width(), 0, right);
    painter.end();
    image = both;
  }
  return image.save(file, "PNG");
}

}  // namespace deploysim::gui
