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

// Runs longer than this can follow the clock with a window of kWindowMs.
constexpr std::int64_t kWholeRunLimitMs = 6 * 3'600'000;
constexpr std::int64_t kWindowMs = 90 * 60'000;
// The whole run so far never spans less than this, so the first minutes are not a blur.
constexpr std::int64_t kMinimumSpanMs = 10 * 60'000;
// More points than pixels only costs time: long windows are thinned to about this many.
constexpr std::size_t kMaxPoints = 1200;

// The floating legend sits in the plot's top right corner, one line per version.
void place_legend(QChart* chart) {
  // Qt lays a detached legend's entries out in a row: room for every marker and name.
  QLegend* legend = chart->legend();
  const QRectF area = chart->plotArea();
  const QFontMetrics metrics(legend->font());
  qreal names = 0.0;
  for (const QAbstractSeries* series : chart->series()) {
    names += metrics.horizontalAdvance(series->name()) + metrics.height() * 2.0;
  }
  const qreal width = std::min(area.width(), names + metrics.height());
  const qreal height = std::min(area.height(), metrics.height() + 12.0);
  legend->setGeometry(QRectF(area.right() - width, area.top(), width, height));
  legend->update();
}

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
         event.rfind("canary", 0) == 0;
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
  add_line(loss_, "loss_usd", tr("loss"), QColor("#d62728"));
  add_line(errors_, "error_rate", tr("errors"), QColor("#d55e00"));
  add_line(alerts_, "alerts_firing", tr("alerts"), QColor("#cc79a7"));
}

ChartsPanel::Plot ChartsPanel::make_plot(const QString& title) {
  Plot plot;
  plot.chart = new QChart;
  plot.chart->setTitle(title);
  // Only the hosts-per-version chart has several lines to tell apart. Its legend floats over
  // the top of the plot: beside it, it would narrow the plot and misalign the shared time axis;
  // above it, it would leave short charts too little height for their axis labels.
  QLegend* legend = plot.chart->legend();
  const bool versions = title == tr("Hosts per version");
  legend->setVisible(versions);
  if (versions) {
    legend->detachFromChart();
    legend->setBackgroundVisible(true);
    legend->setAlignment(Qt::AlignRight);
    QChart* chart = plot.chart;
    connect(chart, &QChart::plotAreaChanged, this, [chart] { place_legend(chart); });
  }
  plot.chart->setMargins(QMargins(4, 2, 4, 2));
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

void ChartsPanel::reset(std::int64_t end_ms) {
  data_.clear();
  end_ms_ = end_ms;
  now_ms_ = 0;
  for (auto& [column, line] : versions_.series) {
    versions_.chart->removeSeries(line);
    delete line;
  }
  versions_.series.clear();
  version_columns_.clear();
  version_indices_.clear();
  timeline_->reset();
  for (auto* plot : {&loss_, &errors_, &alerts_}) {
    for (auto& [column, line] : plot->series) line->clear();
  }
  refresh();
}

void ChartsPanel::add(const Snapshot& snapshot) {
  moments_ = snapshot.moments;
  for (std::size_t c = 0; c < snapshot.columns.size(); ++c) {
    auto& values = data_[snapshot.columns[c]];
    values.insert(values.end(), snapshot.new_rows[c].begin(), snapshot.new_rows[c].end());
    const auto& column = snapshot.columns[c];
    if (column.rfind("hosts_", 0) == 0 && column != "hosts_on_target" &&
        std::find(version_columns_.begin(), version_columns_.end(), column) ==
            version_columns_.end()) {
      version_columns_.push_back(column);
      const std::string version = column.substr(6);
      std::size_t index = 0;
      if (snapshot.catalog) {
        const auto& names = snapshot.catalog->version_names;
        index = static_cast<std::size_t>(std::find(names.begin(), names.end(), version) -
                                         names.begin());
      }
      version_indices_.push_back(index);
      add_line(versions_, column, QString::fromStdString(version), theme_.version_color(index));
    }
  }
  timeline_->add(snapshot.new_story);
  now_ms_ = snapshot.now_ms;
  refresh();
}

std::pair<std::int64_t, std::int64_t> ChartsPanel::window() const {
  return window_for(now_ms_, end_ms_, following_);
}

void ChartsPanel::set_day_offset(std::int64_t ms) {
  day_offset_ms_ = ms;
  refresh();
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
  // (or in large text) the error-rate and alerts charts give way first, then hosts per version.
  const int line = QFontMetrics(QApplication::font()).height();
  const int needed = line * 7;
  const int room = height() - timeline_->height();
  int shown = compact_ ? 2 : 4;
  if (room < needed * shown) shown = 2;
  if (room < needed * shown) shown = 1;
  errors_.view->setVisible(shown == 4);
  alerts_.view->setVisible(shown == 4);
  versions_.view->setVisible(shown >= 2);
  shown_ = shown;
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
    const int ticks = y_ticks(*plot);
    if (plot == &versions_ || plot == &alerts_) {
      // Counts: whole-number ticks.
      const double count_top = std::max(1.0, std::ceil(top));
      plot->y->setRange(0.0, count_top);
      plot->y->setTickCount(count_top + 1.0 <= ticks ? static_cast<int>(count_top) + 1 : ticks);
      if (count_top + 1.0 > ticks) nice_or_not(*plot->y, ticks);
    } else {
      // The error rate's axis reaches at least 1%: queueing tails give rates like 1e-50 that
      // an axis scaled to them would show as a jump from zero.
      if (plot == &errors_) top = std::max(top, 1.0);
      plot->y->setRange(0.0, top > 0.0 ? top * 1.05 : 1.0);
      plot->y->setTickCount(std::min(ticks, 3));
      nice_or_not(*plot->y, std::min(ticks, 3));
      plot->y->setLabelFormat(plot->y->max() >= 10.0 ? "%.0f" : "%.2g");
    }
  }
  // Loss reads in dollars: say millions in the title rather than printing 6 zeros.
  const double loss_top = loss_.y->max();
  if (loss_top >= 1e6) {
    loss_.chart->setTitle(tr("Loss ($M)"));
    for (auto& [column, line] : loss_.series) {
      auto points = line->points();
      for (auto& point : points) point.setY(point.y() / 1e6);
      line->replace(points);
    }
    loss_.y->setRange(0.0, loss_top / 1e6);
    nice_or_not(*loss_.y, loss_.y->tickCount());
    loss_.y->setLabelFormat(loss_.y->max() >= 10.0 ? "%.0f" : "%.2g");
  } else {
    loss_.chart->setTitle(tr("Loss ($)"));
  }
  versions_.y->setLabelFormat("%.0f");
  alerts_.y->setLabelFormat("%.0f");
  shade_phases(from, to);
  place_time_axis();
  place_legend(versions_.chart);
  timeline_->set_window(from, to, loss_.view);
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
    if (plot == &loss_ || (plot == &versions_ && shown_ >= 2) || shown_ == 4) {
      views.push_back(plot->view);
    }
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
    plot->chart->legend()->setFont(text);
    plot->chart->legend()->setLabelColor(theme.text);
    QColor veil = theme.panel;
    veil.setAlpha(210);
    plot->chart->legend()->setBrush(veil);
    plot->chart->legend()->setPen(Qt::NoPen);
    for (QAbstractAxis* axis :
         {static_cast<QAbstractAxis*>(plot->x), static_cast<QAbstractAxis*>(plot->y)}) {
      axis->setLabelsFont(text);
      axis->setLabelsColor(theme.text);
      axis->setGridLineColor(theme.high_contrast ? QColor("#505050") : QColor("#dddddd"));
    }
  }
  // setTheme resets the series pens: colour them again.
  const std::vector<std::pair<Plot*, QColor>> fixed = {
      {&loss_, theme.misbehaving}, {&errors_, QColor("#d55e00")}, {&alerts_, QColor("#cc79a7")}};
  for (const auto& [plot, color] : fixed) {
    for (auto& [column, line] : plot->series) line->setPen(QPen(color, 3));
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
    painter->setPen(ink.darker(130));
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
  for (const auto& line : lines_) {
    if (line.time_ms < from_ms_ || line.time_ms > to_ms_) continue;
    // "08-01 09:30:00" or "09:30:00" -> "09:30"; "+00:10:00" -> "+00:10".
    const auto space = line.clock.rfind(' ');
    const std::string clock = line.clock.substr(space == std::string::npos ? 0 : space + 1);
    const std::string time = clock.substr(0, !clock.empty() && clock.front() == '+' ? 6 : 5);
    const QString full = QString::fromStdString(time + " " + line.text);
    const int x = std::clamp(mark_x(line.time_ms) + 4, 0, width());
    // The first row with room; a label may shrink (elided) to the room left before the edge.
    for (int row = 0; row < kRows; ++row) {
      const int start = std::max(x, row_end[row] + 6);
      if (start > x + metrics.horizontalAdvance("0000")) continue;
      const int room = std::min(widest, width() - start - 2);
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
