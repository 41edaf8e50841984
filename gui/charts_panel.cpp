#include "charts_panel.hpp"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QGraphicsTextItem>
#include <QHelpEvent>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace deploysim::gui {

namespace {

constexpr int kLeftMargin = 4;
// Steps between the ticks of a count axis, times a power of ten, smallest first.
constexpr double kCountSteps[] = {1.0, 2.0, 2.5, 5.0};
// Runs longer than this can follow the clock with a window of kWindowMs.
constexpr std::int64_t kWholeRunLimitMs = 6 * 3'600'000;
constexpr std::int64_t kWindowMs = 90 * 60'000;
// The whole run so far never spans less than this, so the first minutes are not a blur.
constexpr std::int64_t kMinimumSpanMs = 10 * 60'000;
// More points than pixels only costs time: long windows are thinned to about this many.
constexpr std::size_t kMaxPoints = 1200;

// Round tick values, unless rounding needs more ticks than the chart has room for.
void nice_or_not(QValueAxis& axis, int ticks) {
  const double min = axis.min(), max = axis.max();
  axis.applyNiceNumbers();
  if (axis.tickCount() > ticks) {
    axis.setRange(min, max);
    axis.setTickCount(ticks);
  }
}

bool annotated(const std::string& event) {
  static const std::vector<std::string> kinds = {"flag_set",    "flag_blocked", "code_rolled_back",
                                                 "halted",      "resumed",      "alert_fired",
                                                 "host_skipped"};
  if (std::find(kinds.begin(), kinds.end(), event) != kinds.end()) return true;
  return event.rfind("deploy", 0) == 0 || event.rfind("rollout", 0) == 0 ||
         event.rfind("canary", 0) == 0 || event.rfind("change_", 0) == 0;
}

std::pair<std::int64_t, std::int64_t> window_for(std::int64_t now, std::int64_t end,
                                                 bool following) {
  if (following) {
    if (end <= kWholeRunLimitMs) return {0, std::max<std::int64_t>(end, 1)};
    const std::int64_t to = std::min(end, std::max(now + kWindowMs / 6, kWindowMs));
    return {std::max<std::int64_t>(0, to - kWindowMs), to};
  }
  return {0, std::max<std::int64_t>(now, std::min(end, kMinimumSpanMs))};
}

// Past this span the same time of day comes round again: tick labels carry the date.
constexpr std::int64_t kDatedSpanMs = 20 * 3'600'000;
// Tick spacings at round clock times, shortest first.
constexpr std::int64_t kTicks[] = {60'000,     300'000,    600'000,    900'000,
                                   1'800'000,  3'600'000,  7'200'000,  10'800'000,
                                   21'600'000, 43'200'000, 86'400'000, 172'800'000};

}  // namespace

ChartsPanel::ChartsPanel(std::function<QString(std::int64_t, bool)> clock_label, QWidget* parent)
    : QWidget(parent), clock_label_(std::move(clock_label)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  loss_ = make_plot(tr("Loss"));
  errors_ = make_plot(tr("Error rate (%)"));
  versions_ = make_plot(tr("Hosts per version"));
  alerts_ = make_plot(tr("Alerts firing"));
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) layout->addWidget(plot->view, 1);
  timeline_ = new TimelineStrip(this);
  layout->addWidget(timeline_);
  add_line(errors_, "error_rate", tr("errors"), column_color("error_rate"));
  add_line(alerts_, "alerts_firing", tr("alerts"), column_color("alerts_firing"));
}

ChartsPanel::Plot ChartsPanel::make_plot(const QString& title) {
  Plot plot;
  plot.chart = new QChart;
  plot.chart->setTitle(title);
  // Charts with several lines name them in their title ("Hosts ■ serving ■ misbehaving"): a
  // legend beside the plot would narrow it and misalign the shared time axis, one over the plot
  // would hide the lines it names, and one above it would take height short charts need.
  plot.chart->legend()->setVisible(false);
  plot.chart->setMargins(QMargins(kLeftMargin, 2, 4, 2));
  QChart* chart = plot.chart;
  connect(chart, &QChart::plotAreaChanged, this,
          [this, chart](const QRectF& area) { note_plot_area(chart, area); });
  plot.chart->setBackgroundRoundness(0);
  plot.chart->setAnimationOptions(QChart::NoAnimation);
  plot.x = new QCategoryAxis;
  plot.x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  plot.y = new QValueAxis;
  plot.y->setLabelFormat("%.3g");
  plot.y->setTickCount(3);
  plot.chart->addAxis(plot.x, Qt::AlignBottom);
  plot.chart->addAxis(plot.y, Qt::AlignLeft);
  plot.view = new PhaseChartView(plot.chart, &shaded_, this);
  plot.view->installEventFilter(this);
  plot.view->setRenderHint(QPainter::Antialiasing);
  plot.view->setMinimumHeight(90);
  return plot;
}

QLineSeries* ChartsPanel::add_line(Plot& plot, const std::string& column, const QString& name,
                                   QColor color) {
  auto* line = new QLineSeries;
  line->setName(name);
  line->setPen(QPen(color, 3));
  plot.chart->addSeries(line);
  line->attachAxis(plot.x);
  line->attachAxis(plot.y);
  plot.series.emplace_back(column, line);
  return line;
}

void ChartsPanel::reset(std::int64_t end_ms, bool money) {
  data_.clear();
  end_ms_ = end_ms;
  now_ms_ = 0;
  money_ = money;
  // The top chart and the versions chart gain lines as their columns appear.
  for (auto* plot : {&loss_, &versions_}) {
    for (auto& [column, line] : plot->series) {
      plot->chart->removeSeries(line);
      delete line;
    }
    plot->series.clear();
  }
  version_indices_.clear();
  if (money_) add_line(loss_, "loss_usd", tr("loss"), column_color("loss_usd"));
  timeline_->reset();
  for (auto* plot : {&errors_, &alerts_}) {
    for (auto& [column, line] : plot->series) line->clear();
  }
  fit_charts();
  // No refresh: the run's first snapshot follows at once, and each refresh lays out four
  // charts, which is most of what a step back costs in a short run.
}

QColor ChartsPanel::column_color(const std::string& column) const {
  if (column == "loss_usd" || column == "misbehaving_hosts") return theme_.misbehaving;
  if (column == "serving_hosts") return theme_.version_color(0);
  if (column == "hosts_awaiting_repair") return QColor("#e69f00");
  if (column == "error_rate") return QColor("#d55e00");
  if (column == "alerts_firing") return QColor("#cc79a7");
  return theme_.muted;
}

bool ChartsPanel::has_line(const Plot& plot, const std::string& column) {
  return std::any_of(plot.series.begin(), plot.series.end(),
                     [&](const auto& entry) { return entry.first == column; });
}

void ChartsPanel::add_columns(const Snapshot& snapshot) {
  // Without money at stake the top chart tells how many hosts serve and misbehave, and how
  // many wait for a repair team when the scenario has one.
  const std::vector<std::pair<std::string, QString>> hosts = {
      {"serving_hosts", tr("serving")},
      {"misbehaving_hosts", tr("misbehaving")},
      {"hosts_awaiting_repair", tr("to repair")}};
  const auto& columns = snapshot.columns;
  const auto present = [&](const std::string& column) {
    return std::find(columns.begin(), columns.end(), column) != columns.end();
  };
  for (const auto& [column, name] : hosts) {
    if (!money_ && present(column) && !has_line(loss_, column)) {
      add_line(loss_, column, name, column_color(column));
    }
  }
  if (!snapshot.catalog) return;
  // Hosts per version: a column "hosts_<version>" for each version the run deploys; other
  // "hosts_" columns (on target, awaiting repair) are not versions.
  const auto& names = snapshot.catalog->version_names;
  for (std::size_t v = 0; v < names.size(); ++v) {
    const std::string column = "hosts_" + names[v];
    if (!present(column) || has_line(versions_, column)) continue;
    version_indices_.push_back(v);
    add_line(versions_, column, QString::fromStdString(names[v]), theme_.version_color(v));
  }
}

void ChartsPanel::add(const Snapshot& snapshot) {
  moments_ = snapshot.moments;
  for (std::size_t c = 0; c < snapshot.columns.size(); ++c) {
    auto& values = data_[snapshot.columns[c]];
    values.insert(values.end(), snapshot.new_rows[c].begin(), snapshot.new_rows[c].end());
  }
  const bool had_versions = !versions_.series.empty();
  add_columns(snapshot);
  if (had_versions != !versions_.series.empty()) fit_charts();
  timeline_->add(snapshot.new_story);
  now_ms_ = snapshot.now_ms;
  refresh();
}

std::pair<std::int64_t, std::int64_t> ChartsPanel::window() const {
  return window_for(now_ms_, end_ms_, following_);
}

void ChartsPanel::set_day_offset(std::int64_t ms) {
  // Set with reset(), before the run's first snapshot, whose add() lays the axes out.
  day_offset_ms_ = ms;
}

void ChartsPanel::set_following(bool following) {
  following_ = following;
  refresh();
}

int ChartsPanel::y_ticks(const Plot& plot) const {
  // A tick label needs about one and a half lines of height, or Qt elides it.
  const int line = QFontMetrics(QApplication::font()).height();
  const int furniture = line * 2 + (plot.x->labelsVisible() ? line + 4 : 0) + 12;
  const QRectF area = plot.chart->plotArea();
  const int plot_height =
      area.height() > 1.0 ? static_cast<int>(area.height()) : plot.view->height() - furniture;
  return std::clamp(plot_height / (line * 2) + 1, 2, 5);
}

void ChartsPanel::fit_charts() {
  // Every chart shown must have room for its title and two labelled ticks; on a short screen
  // (or in large text) the alerts chart gives way first, then the error rate, then hosts per
  // version. A run that deploys no version has no versions chart to show.
  const int line = QFontMetrics(QApplication::font()).height();
  const int needed = line * 7;
  const int room = height() - timeline_->height();
  std::vector<Plot*> by_importance = {&loss_};
  if (!versions_.series.empty()) by_importance.push_back(&versions_);
  by_importance.push_back(&errors_);
  by_importance.push_back(&alerts_);
  std::size_t shown = std::min<std::size_t>(compact_ ? 2 : 4, by_importance.size());
  while (shown > 1 && room < needed * static_cast<int>(shown)) --shown;
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    plot->shown =
        std::find(by_importance.begin(), by_importance.begin() + static_cast<std::ptrdiff_t>(shown),
                  plot) != by_importance.begin() + static_cast<std::ptrdiff_t>(shown);
    plot->view->setVisible(plot->shown);
  }
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fit_charts();
  refresh();
}

bool ChartsPanel::eventFilter(QObject* watched, QEvent* event) {
  // Tick counts depend on each chart's own size, which the layout settles after the panel's:
  // refresh once more when it has, however many charts it resized.
  if (event->type() == QEvent::Resize && !refresh_pending_) {
    refresh_pending_ = true;
    QTimer::singleShot(0, this, [this] {
      refresh_pending_ = false;
      refresh();
    });
  }
  return QWidget::eventFilter(watched, event);
}

QStringList ChartsPanel::time_labels() const {
  const auto views = visible_views();
  for (const auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    if (plot->view == views.back()) return plot->x->categoriesLabels();
  }
  return {};
}

std::int64_t ChartsPanel::tick_for(std::int64_t span) const {
  // A label needs its own width and as much again of space, or Qt elides it.
  const QFontMetrics metrics(QApplication::font());
  const int label = metrics.horizontalAdvance(clock_label_(0, span > kDatedSpanMs) + "00");
  const QRectF area = loss_.chart->plotArea();
  const int plot_width =
      area.width() > 1.0
          ? static_cast<int>(area.width())
          : std::max(100, loss_.view->width() - metrics.horizontalAdvance("0000000"));
  const std::int64_t room = std::max(2, plot_width / std::max(1, label));
  for (const std::int64_t candidate : kTicks) {
    if (span / candidate <= room) return candidate;
  }
  return kTicks[std::size(kTicks) - 1] * (span / (kTicks[std::size(kTicks) - 1] * room) + 1);
}

void ChartsPanel::refresh() {
  const auto [from, to] = window();
  const auto time_it = data_.find("time_s");
  const std::vector<double> empty;
  const auto& times = time_it == data_.end() ? empty : time_it->second;
  const auto first = static_cast<std::size_t>(
      std::lower_bound(times.begin(), times.end(), static_cast<double>(from) / 1000.0) -
      times.begin());
  const auto last = static_cast<std::size_t>(
      std::upper_bound(times.begin(), times.end(), static_cast<double>(to) / 1000.0) -
      times.begin());
  const std::size_t stride = std::max<std::size_t>(1, (last - first) / kMaxPoints);

  // Ticks at round clock times, the same on every chart; only the lowest chart labels them.
  const std::int64_t tick = tick_for(to - from);
  // Qt elides a label that has less room than its width before the axis' ends: none goes there.
  const bool dated = to - from > kDatedSpanMs;
  const double label_width =
      QFontMetrics(QApplication::font()).horizontalAdvance(clock_label_(from, dated));
  const double plot_width = std::max(50.0, loss_.chart->plotArea().width());
  const auto edge = static_cast<std::int64_t>(static_cast<double>(to - from) *
                                              std::min(0.3, 0.6 * label_width / plot_width));
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    for (const auto& label : plot->x->categoriesLabels()) plot->x->remove(label);
    plot->x->setRange(static_cast<double>(from) / 1000.0, static_cast<double>(to) / 1000.0);
    plot->x->setStartValue(static_cast<double>(from) / 1000.0);
    // At round times of the wall clock, not of the run's start.
    const std::int64_t offset = day_offset_ms_ % tick;
    QStringList used;
    for (std::int64_t t = (from + edge + offset + tick - 1) / tick * tick - offset; t <= to - edge;
         t += tick) {
      // Category labels must differ; "12:00" on two days differs by an invisible space.
      QString label = clock_label_(t, dated);
      while (used.contains(label)) label += QChar(0x200B);
      used << label;
      plot->x->append(label, static_cast<double>(t) / 1000.0);
    }
    double top = 0.0;
    for (auto& [column, line] : plot->series) {
      const auto it = data_.find(column);
      QList<QPointF> points;
      if (it != data_.end()) {
        const double scale = column == "error_rate" ? 100.0 : 1.0;
        points.reserve(static_cast<qsizetype>((last - first) / stride + 1));
        for (std::size_t i = first; i < last && i < it->second.size(); i += stride) {
          points.append(QPointF(times[i], it->second[i] * scale));
          top = std::max(top, it->second[i] * scale);
        }
        // Always include the newest point, so the line reaches the clock.
        if (last > first && last - 1 < it->second.size() && (last - 1 - first) % stride != 0) {
          points.append(QPointF(times[last - 1], it->second[last - 1] * scale));
        }
      }
      line->replace(points);
    }
    scale_y(*plot, top);
  }
  if (money_) {
    // Loss reads in dollars: say millions in the title rather than printing 6 zeros.
    const double loss_top = loss_.y->max();
    set_title(loss_, loss_top >= 1e6 ? tr("Loss ($M)") : tr("Loss ($)"));
    if (loss_top >= 1e6) {
      for (auto& [column, line] : loss_.series) {
        auto points = line->points();
        for (auto& point : points) point.setY(point.y() / 1e6);
        line->replace(points);
      }
      loss_.y->setRange(0.0, loss_top / 1e6);
      nice_or_not(*loss_.y, loss_.y->tickCount());
      loss_.y->setLabelFormat(loss_.y->max() >= 10.0 ? "%.0f" : "%.2g");
    }
  } else {
    set_title(loss_, titled(loss_, tr("Hosts")));
  }
  set_title(versions_, titled(versions_, tr("Hosts per version")));
  shade_phases(from, to);
  place_time_axis();
  align_plots();
  timeline_->set_window(from, to, loss_.view);
}

void ChartsPanel::set_title(Plot& plot, const QString& title) {
  // Every frame refreshes the charts: a title set again, even unchanged, is parsed and laid out
  // again.
  if (plot.chart->title() != title) plot.chart->setTitle(title);
}

QString ChartsPanel::titled(const Plot& plot, const QString& name) const {
  // The title names each line in its colour; in a narrow chart the lines' names alone.
  QString keys;
  QString plain = name;
  for (const auto& [column, line] : plot.series) {
    keys += QString(" &nbsp;<span style='color:%1'>&#9632;</span>&nbsp;%2")
                .arg(line->pen().color().name(), line->name().toHtmlEscaped());
    plain += QString("  %1 %2").arg(QChar(0x25A0)).arg(line->name());
  }
  QFont font = plot.chart->titleFont();
  font.setBold(true);
  const int room = plot.view->width() - 48;
  if (keys.isEmpty() || QFontMetrics(font).horizontalAdvance(plain) < room) {
    return "<b>" + name.toHtmlEscaped() + "</b>" + keys;
  }
  return keys.mid(7);
}

void ChartsPanel::scale_y(Plot& plot, double top) {
  const int ticks = y_ticks(plot);
  const bool counts = plot.series.empty() || plot.series.front().first != "loss_usd";
  if (&plot != &errors_ && counts) {
    // Counts: whole-number ticks, and room above a line of hosts that stays at its top.
    // The step is 1, 2 or 5 times a power of ten, or 25 times one: the smallest whose ticks fit.
    const auto step_for = [ticks](double wanted) {
      double step = 1.0;
      for (double scale = 1.0; std::ceil(wanted / step) + 1.0 > ticks; scale *= 10.0) {
        for (const double s : kCountSteps) {
          if (s == 2.5 && scale < 10.0) continue;  // counts have no half ticks
          step = s * scale;
          if (std::ceil(wanted / step) + 1.0 <= ticks) break;
        }
      }
      return step;
    };
    // Room above a line that stays at its top, unless the room would double the axis (100
    // hosts on an axis of 200 in a chart with room for two ticks).
    double count_top = std::max(1.0, std::ceil(top));
    double step = step_for(count_top);
    const double roomy_top = std::ceil(top > 4.0 ? top * 1.05 : top);
    if (const double roomy = step_for(roomy_top);
        std::ceil(roomy_top / roomy) * roomy <= 1.5 * std::ceil(count_top / step) * step) {
      count_top = std::max(1.0, roomy_top);
      step = roomy;
    }
    const double intervals = std::ceil(count_top / step);
    plot.y->setRange(0.0, intervals * step);
    plot.y->setTickCount(static_cast<int>(intervals) + 1);
    plot.y->setLabelFormat("%.0f");
    return;
  }
  // The error rate's axis reaches at least 1%: queueing tails give rates like 1e-50 that an
  // axis scaled to them would show as a jump from zero. It never passes 100%.
  if (&plot == &errors_) top = std::max(top, 1.0);
  plot.y->setRange(0.0, top > 0.0 ? top * 1.05 : 1.0);
  plot.y->setTickCount(std::min(ticks, 3));
  nice_or_not(*plot.y, std::min(ticks, 3));
  if (&plot == &errors_ && plot.y->max() > 100.0) {
    plot.y->setRange(0.0, 100.0);
    plot.y->setTickCount(std::min(ticks, 3));
  }
  plot.y->setLabelFormat(plot.y->max() >= 10.0 ? "%.0f" : "%.2g");
}

void ChartsPanel::align_plots() {
  // One time axis for every chart: their plot areas start at the same x, whatever the width of
  // their value labels ("0.5" beside "40"), so that a time lines up from chart to chart. Qt
  // Charts tells where a plot starts only once it has laid the chart out (note_plot_area).
  double widest = 0.0;
  for (const auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    if (plot->shown) widest = std::max(widest, plot->labels_width);
  }
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    QMargins margins = plot->chart->margins();
    margins.setLeft(kLeftMargin + static_cast<int>(std::lround(widest - plot->labels_width)));
    if (margins != plot->chart->margins()) plot->chart->setMargins(margins);
  }
}

void ChartsPanel::note_plot_area(QChart* chart, const QRectF& area) {
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    if (plot->chart != chart || area.width() <= 1.0) continue;
    // What lies left of the plot besides the margin: the value labels and their spacing.
    const double width = area.left() - chart->margins().left();
    if (std::abs(width - plot->labels_width) < 0.5) return;
    plot->labels_width = width;
    if (align_pending_) return;
    align_pending_ = true;
    QTimer::singleShot(0, this, [this] {
      align_pending_ = false;
      align_plots();
    });
  }
}

void ChartsPanel::shade_phases(std::int64_t from, std::int64_t to) {
  shaded_.clear();
  if (moments_) {
    // Only the past: a phase still going is shaded up to the clock.
    for (const auto& phase : moments_->phases) {
      if (phase.from.ms() > now_ms_) continue;
      const std::int64_t end = std::min(phase.to.ms(), now_ms_);
      if (end < from || phase.from.ms() > to) continue;
      shaded_.push_back({phase.kind, static_cast<double>(phase.from.ms()) / 1000.0,
                         static_cast<double>(end) / 1000.0});
    }
  }
  for (auto* view : visible_views()) view->viewport()->update();
}

std::vector<QChartView*> ChartsPanel::visible_views() const {
  std::vector<QChartView*> views;
  for (const auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    if (plot->shown) views.push_back(plot->view);
  }
  return views;
}

void ChartsPanel::place_time_axis() {
  const auto views = visible_views();
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    const bool lowest = plot->view == views.back();
    plot->x->setLabelsVisible(lowest);
    static_cast<PhaseChartView*>(plot->view)->set_labelled(plot->view == views.front());
  }
}

void ChartsPanel::set_theme(const Theme& theme) {
  theme_ = theme;
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    plot->chart->setTheme(theme.high_contrast ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    plot->chart->setBackgroundBrush(theme.panel);
    plot->chart->setTitleBrush(theme.text);
    // The application font carries the presentation text scale; widgets learn of it later.
    const QFont text = QApplication::font();
    QFont title = text;
    title.setBold(true);
    plot->chart->setTitleFont(title);
    for (QAbstractAxis* axis :
         {static_cast<QAbstractAxis*>(plot->x), static_cast<QAbstractAxis*>(plot->y)}) {
      axis->setLabelsFont(text);
      axis->setLabelsColor(theme.text);
      axis->setGridLineColor(theme.high_contrast ? QColor("#505050") : QColor("#dddddd"));
    }
  }
  // setTheme resets the series pens: colour them again.
  for (auto* plot : {&loss_, &errors_, &alerts_}) {
    for (auto& [column, line] : plot->series) line->setPen(QPen(column_color(column), 3));
  }
  for (std::size_t i = 0; i < versions_.series.size(); ++i) {
    versions_.series[i].second->setPen(QPen(theme.version_color(version_indices_[i]), 3));
  }
  timeline_->set_theme(theme);
  refresh();
}

void ChartsPanel::set_compact(bool compact) {
  compact_ = compact;
  fit_charts();
  refresh();
}

QImage ChartsPanel::render_image() {
  return grab().toImage();
}

int ChartsPanel::loss_points() const {
  return loss_.series.empty() ? 0 : static_cast<int>(loss_.series.front().second->count());
}

QColor phase_color(simulation::PhaseKind kind) {
  switch (kind) {
    case simulation::PhaseKind::deploy:
      return QColor(0, 114, 178, 40);
    case simulation::PhaseKind::incident:
      return QColor(214, 39, 40, 55);
    case simulation::PhaseKind::rollback:
      return QColor(230, 159, 0, 70);
  }
  return QColor(128, 128, 128, 40);
}

PhaseChartView::PhaseChartView(QChart* chart, const std::vector<ShadedPhase>* phases,
                               QWidget* parent)
    : QChartView(chart, parent), phases_(phases) {}

void PhaseChartView::drawForeground(QPainter* painter, const QRectF& rect) {
  QChartView::drawForeground(painter, rect);
  QChart* chart = this->chart();
  if (chart == nullptr || chart->series().isEmpty()) return;
  QAbstractSeries* series = chart->series().front();
  const QRectF area = chart->plotArea();
  const QFontMetrics metrics(painter->font());
  // Phases overlap (a rollback inside an incident): each gets its own band of labels.
  int label_row = 0;
  for (const auto& phase : *phases_) {
    const double left = std::max(area.left(), chart->mapToPosition({phase.from_s, 0}, series).x());
    const double right = std::min(area.right(), chart->mapToPosition({phase.to_s, 0}, series).x());
    // A phase shorter than a pixel still shows as a thin band.
    const QRectF band(left, area.top(), std::max(2.0, right - left), area.height());
    painter->fillRect(band, phase_color(phase.kind));
    if (!labelled_) continue;
    const QString name = QString::fromUtf8(simulation::phase_kind_name(phase.kind).data());
    if (metrics.horizontalAdvance(name) + 4 > band.width()) continue;
    QColor ink = phase_color(phase.kind);
    ink.setAlpha(255);
    // Dark ink on a light chart, light ink on the high-contrast theme's dark one.
    const bool dark = chart->backgroundBrush().color().lightness() < 128;
    painter->setPen(dark ? ink.lighter(150) : ink.darker(130));
    painter->drawText(QPointF(band.left() + 2,
                              area.top() + metrics.ascent() + (label_row++ % 2) * metrics.height()),
                      name);
  }
}

TimelineStrip::TimelineStrip(QWidget* parent) : QWidget(parent) {
  fit_height();
}

void TimelineStrip::fit_height() {
  // Fixed, so that the layout can never squeeze the rows into one another.
  setFixedHeight(kRows * (fontMetrics().height() + 2) + 8);
}

void TimelineStrip::changeEvent(QEvent* event) {
  if (event->type() == QEvent::FontChange) fit_height();
  QWidget::changeEvent(event);
}

void TimelineStrip::add(const std::vector<StoryLine>& lines) {
  for (const auto& line : lines) {
    if (annotated(line.event)) lines_.push_back(line);
  }
  update();
}

void TimelineStrip::set_window(std::int64_t from_ms, std::int64_t to_ms,
                               const QChartView* reference) {
  from_ms_ = from_ms;
  to_ms_ = std::max(to_ms, from_ms + 1);
  reference_ = reference;
  update();
}

int TimelineStrip::mark_x(std::int64_t time_ms) const {
  // Line up with the charts' plot area, which Qt Charts knows only after laying them out.
  int left = 0, width = this->width();
  if (reference_ != nullptr && reference_->chart() != nullptr) {
    const QRectF area = reference_->chart()->plotArea();
    left = static_cast<int>(area.left());
    width = std::max(1, static_cast<int>(area.width()));
  }
  return left + static_cast<int>(static_cast<double>(time_ms - from_ms_) /
                                 static_cast<double>(to_ms_ - from_ms_) * width);
}

std::vector<TimelineStrip::Label> TimelineStrip::layout_labels() const {
  std::vector<Label> labels;
  const QFontMetrics metrics(font());
  const int row_height = metrics.height() + 2;
  int row_end[kRows];
  std::fill(std::begin(row_end), std::end(row_end), -1'000'000);
  const int widest = std::max(80, width() * 2 / 3);
  std::vector<const StoryLine*> shown_lines;
  for (const auto& line : lines_) {
    if (line.time_ms >= from_ms_ && line.time_ms <= to_ms_) shown_lines.push_back(&line);
  }
  for (std::size_t i = 0; i < shown_lines.size(); ++i) {
    const StoryLine& line = *shown_lines[i];
    // "08-01 09:30:00" or "09:30:00" -> "09:30"; "+00:10:00" -> "+00:10".
    const auto space = line.clock.rfind(' ');
    const std::string clock = line.clock.substr(space == std::string::npos ? 0 : space + 1);
    const std::string time = clock.substr(0, !clock.empty() && clock.front() == '+' ? 6 : 5);
    const QString full = QString::fromStdString(time + " " + line.text);
    const int x = std::clamp(mark_x(line.time_ms) + 4, 0, width());
    // A label leaves room for the one that comes kRows marks later, which needs its row again,
    // if that one can start after it cut to its time and a word; a later label too close to
    // start there anyway takes nothing from it.
    const int slack = metrics.horizontalAdvance("0000");
    const int next =
        i + kRows < shown_lines.size() ? mark_x(shown_lines[i + kRows]->time_ms) - 2 : width();
    const int least = metrics.horizontalAdvance(QString::fromStdString(time) + " xxxxx…");
    // The first row with room; a label may shrink (elided) to the room left before the edge.
    for (int row = 0; row < kRows; ++row) {
      const int start = std::max(x, row_end[row] + 6);
      if (start > x + slack) continue;
      const int for_later = next - start >= least - slack ? std::max(least, next - start) : widest;
      const int room = std::min({widest, width() - start - 2, for_later});
      if (room < metrics.horizontalAdvance(QString::fromStdString(time) + " …")) continue;
      const QString shown = metrics.elidedText(full, Qt::ElideRight, room);
      const QRect rect(start, 4 + row * row_height, metrics.horizontalAdvance(shown),
                       metrics.height());
      row_end[row] = rect.right();
      labels.push_back({rect, shown, full});
      break;
    }
  }
  return labels;
}

void TimelineStrip::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), theme_.panel);
  for (const auto& line : lines_) {
    if (line.time_ms < from_ms_ || line.time_ms > to_ms_) continue;
    const bool alarming =
        line.event == "alert_fired" || line.event == "halted" || line.event == "code_rolled_back";
    painter.setPen(QPen(alarming ? theme_.misbehaving : theme_.muted, 2));
    const int x = mark_x(line.time_ms);
    painter.drawLine(x, 0, x, height());
  }
  painter.setPen(theme_.text);
  for (const auto& label : layout_labels()) {
    painter.fillRect(label.rect.adjusted(-2, 0, 2, 0), theme_.panel);
    painter.drawText(label.rect, Qt::AlignLeft | Qt::AlignVCenter, label.shown);
  }
}

bool TimelineStrip::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  // The whole line of an elided label, or of every mark near the pointer.
  const auto* help = static_cast<QHelpEvent*>(event);
  QStringList lines;
  for (const auto& label : layout_labels()) {
    if (label.rect.contains(help->pos()) && label.shown != label.full) lines << label.full;
  }
  if (lines.isEmpty()) {
    for (const auto& line : lines_) {
      if (line.time_ms < from_ms_ || line.time_ms > to_ms_) continue;
      if (std::abs(mark_x(line.time_ms) - help->pos().x()) <= 3) {
        lines << QString::fromStdString(line.clock + "  " + line.text);
      }
    }
  }
  if (lines.isEmpty()) {
    QToolTip::hideText();
  } else {
    QToolTip::showText(help->globalPos(), lines.join("\n"), this);
  }
  return true;
}

}  // namespace deploysim::gui
