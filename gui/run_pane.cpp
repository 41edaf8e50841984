#include "run_pane.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "charts_panel.hpp"
#include "fleet_view.hpp"
#include "run_handle.hpp"
#include "simulation/narrative.hpp"
#include "spec/scenario.hpp"

namespace deploysim::gui {

namespace {

QLabel* readout(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName("readout");
  label->setTextFormat(Qt::RichText);
  // Read-outs share the width they get; they must not set the window's minimum width.
  label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  return label;
}

// A read-out: a small caption over a value in `size` ("x-large", "large", "medium").
QString big(const QString& caption, const QString& value, const char* size) {
  return QString(
             "<span style='font-size:small'>%1</span><br><span "
             "style='font-size:%3'><b>%2</b></span>")
      .arg(caption, value.toHtmlEscaped(), QString::fromLatin1(size));
}

// Only a behaviour with a loss per minute (Knight's runaway orders) costs money; without one the
// loss chart would be a flat line.
bool loses_money(const spec::Scenario& scenario) {
  return std::any_of(scenario.behaviours.begin(), scenario.behaviours.end(),
                     [](const spec::Behaviour& b) { return b.loss_per_host_per_min_usd > 0.0; });
}

}  // namespace

RunPane::RunPane(QWidget* parent) : QWidget(parent), handle_(std::make_unique<RunHandle>()) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  title_->setTextFormat(Qt::RichText);
  layout->addWidget(title_);

  auto* readouts = new QHBoxLayout;
  clock_ = readout(this);
  events_ = readout(this);
  loss_ = readout(this);
  misbehaving_ = readout(this);
  for (auto* label : {clock_, loss_, misbehaving_, events_}) readouts->addWidget(label, 1);
  layout->addLayout(readouts);

  fleet_ = new FleetView(this);
  charts_ = new ChartsPanel(
      [this](std::int64_t ms, bool dated) {
        if (!scenario_) return QString();
        const auto t = engine::Time::from_ms(ms);
        // Midnight on a long axis is the date: "2012-08-01 00:00:00" -> "08-01".
        if (dated && scenario_->clock.wall && scenario_->clock.wall->time_of_day(t) == "00:00:00") {
          return QString::fromStdString(simulation::clock_text(*scenario_, t, true).substr(5, 5));
        }
        // "09:30:00" -> "09:30"; "+01:30:00" (no wall clock) -> "+01:30", hours past 24 too.
        const std::string text = simulation::clock_text(*scenario_, t, false);
        return QString::fromStdString(text.substr(0, text.size() - 3));
      },
      this);

  tabs_ = new QTabWidget(this);
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  // Long lines wrap at words, and inside a long host list when they must.
  log_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  log_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
  log_->setMaximumBlockCount(5000);
  tabs_->addTab(log_, tr("Event log"));
  inspector_ = new QLabel(tr("Click a host to see its state and history."), this);
  inspector_->setWordWrap(true);
  inspector_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  inspector_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  tabs_->addTab(inspector_, tr("Host"));
  summary_ = new QTableWidget(0, 2, this);
  summary_->horizontalHeader()->setVisible(false);
  summary_->verticalHeader()->setVisible(false);
  summary_->horizontalHeader()->setStretchLastSection(true);
  summary_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  tabs_->addTab(summary_, tr("Summary"));

  left_ = new QSplitter(Qt::Vertical, this);
  left_->addWidget(fleet_);
  left_->addWidget(tabs_);
  left_->setStretchFactor(0, 3);
  left_->setStretchFactor(1, 2);
  splitter_ = new QSplitter(Qt::Horizontal, this);
  splitter_->addWidget(left_);
  splitter_->addWidget(charts_);
  splitter_->setStretchFactor(0, 1);
  splitter_->setStretchFactor(1, 1);
  splitter_->setSizes({1000, 900});
  layout->addWidget(splitter_, 1);

  connect(handle_.get(), &RunHandle::snapshot, this, &RunPane::show_snapshot);
  connect(fleet_, &FleetView::host_clicked, this, &RunPane::inspect);
}

RunPane::~RunPane() = default;

void RunPane::setup(std::shared_ptr<const spec::Scenario> scenario, std::uint64_t seed,
                    const QString& title, std::shared_ptr<const verify::Schedule> faults) {
  scenario_ = scenario;
  latest_.reset();
  clear_shown();
  inspected_.reset();
  inspector_->setText(tr("Click a host to see its state and history."));
  title_->setText(
      QString("<big><b>%1</b></big> &nbsp;·&nbsp; seed %2").arg(title.toHtmlEscaped()).arg(seed));
  handle_->setup(std::move(scenario), seed, std::move(faults));
}

void RunPane::clear_shown() {
  final_summary_.reset();
  sampled_loss_usd_ = 0.0;
  host_history_.clear();
  log_->clear();
  summary_->setRowCount(0);
  charts_->reset(scenario_ ? scenario_->clock.end.ms() : 0, scenario_ && loses_money(*scenario_));
  if (scenario_ && scenario_->clock.wall) {
    // "08:00:00" at time 0: ticks then fall on the wall clock's round hours and midnights.
    const auto start =
        engine::parse_time_of_day_ms(scenario_->clock.wall->time_of_day(engine::Time::zero()));
    charts_->set_day_offset(start.value_or(0));
  } else {
    charts_->set_day_offset(0);
  }
}

void RunPane::show_snapshot(const std::shared_ptr<const Snapshot>& snapshot) {
  // A step back re-ran the run from its start: the snapshot brings everything again.
  if (snapshot->restarted) clear_shown();
  latest_ = snapshot;
  fleet_->set_snapshot(snapshot);
  charts_->add(*snapshot);
  for (const auto& line : snapshot->new_story) {
    // A notification line carries its own clock, as the notification log does.
    const std::string text =
        line.event == "notification" ? line.text : line.clock + "  " + line.text;
    log_->appendPlainText(QString::fromStdString(text));
  }
  for (const auto& event : snapshot->new_host_events)
    host_history_[event.host].push_back(event.text);

  for (std::size_t c = 0; c < snapshot->columns.size(); ++c) {
    if (snapshot->columns[c] == "loss_usd" && !snapshot->new_rows[c].empty()) {
      sampled_loss_usd_ = snapshot->new_rows[c].back();
    }
  }
  if (snapshot->final_summary) {
    final_summary_ = *snapshot->final_summary;
    show_summary(*final_summary_);
  }
  show_readouts();
  if (inspected_) inspect(*inspected_);
}

void RunPane::show_readouts() {
  if (!latest_) return;
  const Snapshot& snapshot = *latest_;
  const double loss =
      final_summary_ ? (*final_summary_)["loss_usd"].get<double>() : sampled_loss_usd_;
  // Four read-outs in a narrow pane: a size smaller, and when a caption still does not fit its
  // share of the width, a shorter one, so that none is cut off.
  const bool narrow = width() < 1000;
  const auto show = [narrow](QLabel* label, const QString& caption, const QString& brief,
                             const QString& value) {
    const auto fits = [label] {
      return label->width() <= 0 || label->sizeHint().width() <= label->width();
    };
    label->setText(big(caption, value, narrow ? "large" : "x-large"));
    if (!fits()) label->setText(big(brief, value, narrow ? "large" : "x-large"));
    if (!fits()) label->setText(big(brief, value, "medium"));
  };
  // The date goes in the caption so that the time itself stays large.
  const std::string& clock = snapshot.clock_text;
  const auto space = clock.rfind(' ');
  if (space == std::string::npos) {
    show(clock_, tr("Simulated time"), tr("Time"), QString::fromStdString(clock));
  } else {
    const QString date = QString::fromStdString(clock.substr(0, space));
    show(clock_, tr("Simulated time · %1").arg(date), date,
         QString::fromStdString(clock.substr(space + 1)));
  }
  show(events_, tr("Events"), tr("Events"), QString::number(snapshot.events));
  // A run that cannot lose money reads out its hosts serving instead of a loss of $0.
  if (scenario_ && !loses_money(*scenario_)) {
    show(loss_, tr("Serving / hosts"), tr("Serving"),
         QString("%1 / %2").arg(snapshot.serving_hosts).arg(snapshot.live_hosts));
  } else {
    show(loss_, tr("Loss"), tr("Loss"), QString::fromStdString(simulation::money(loss)));
  }
  // Out of the hosts that exist now: the count the fleet view draws and its groups add up to.
  show(misbehaving_, tr("Misbehaving / hosts"), tr("Misbehaving"),
       QString("%1 / %2").arg(snapshot.misbehaving_hosts).arg(snapshot.live_hosts));
}

void RunPane::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  show_readouts();
}

void RunPane::inspect(std::uint32_t host) {
  inspected_ = host;
  QString text = fleet_->describe_host(host);
  const auto it = host_history_.find(host);
  if (it != host_history_.end()) {
    text += "<br><br><b>" + tr("History") + "</b>";
    for (const auto& line : it->second)
      text += "<br>" + QString::fromStdString(line).toHtmlEscaped();
  }
  inspector_->setText(text);
  tabs_->setCurrentWidget(inspector_);
}

namespace {

// A summary value as a room reads it: dollars, durations, whole counts, three significant
// digits; the exact JSON value stays in the tooltip.
QString readable_value(const std::string& key, const nlohmann::ordered_json& value) {
  if (value.is_null()) return QObject::tr("did not occur");
  if (value.is_string()) return QString::fromStdString(value.get<std::string>());
  if (!value.is_number()) return QString::fromStdString(value.dump());
  const double number = value.get<double>();
  const auto ends_with = [&](std::string_view suffix) {
    return key.size() >= suffix.size() &&
           key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("_usd")) return QString::fromStdString(simulation::money(number));
  if (ends_with("_s")) return QString::fromStdString(simulation::minutes_text(number));
  if (value.is_number_integer() || key == "seed") return QString::fromStdString(value.dump());
  if (key == "peak_utilization" || key == "error_budget_consumed") {
    return QString::number(number * 100.0, 'g', 3) + "%";
  }
  if (std::abs(number) < 0.005) return "0";
  if (std::abs(number) >= 100.0) return QLocale(QLocale::English).toString(std::llround(number));
  return QString::number(number, 'g', 3);
}

}  // namespace

void RunPane::show_summary(const nlohmann::ordered_json& summary) {
  summary_->setRowCount(0);
  for (const auto& [key, value] : summary.items()) {
    const int row = summary_->rowCount();
    summary_->insertRow(row);
    summary_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(key)));
    auto* cell = new QTableWidgetItem(readable_value(key, value));
    cell->setToolTip(QString::fromStdString(value.dump()));
    summary_->setItem(row, 1, cell);
  }
}

void RunPane::set_theme(const Theme& theme) {
  theme_ = theme;
  fleet_->set_theme(theme);
  charts_->set_theme(theme);
}

void RunPane::set_compact(bool compact) {
  splitter_->setOrientation(compact ? Qt::Vertical : Qt::Horizontal);
  charts_->set_compact(compact);
  tabs_->setVisible(!compact);
}

QString RunPane::event_log() const {
  return log_->toPlainText();
}
QString RunPane::clock_readout() const {
  return latest_ ? QString::fromStdString(latest_->clock_text) : QString();
}
QString RunPane::misbehaving_readout() const {
  return latest_ ? QString("%1 / %2").arg(latest_->misbehaving_hosts).arg(latest_->live_hosts)
                 : QString();
}
QString RunPane::events_readout() const {
  return latest_ ? QString::number(latest_->events) : QString();
}

}  // namespace deploysim::gui
