#include "charts_panel.hpp"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QLineSeries>
#include <QPainter>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace deploysim::gui {

namespace {

// Runs longer than this show a following window of kWindowMs instead of the whole run.
constexpr std::int64_t kWholeRunLimitMs = 6 * 3'600'000;
constexpr std::int64_t kWindowMs = 90 * 60'000;
// More points than pixels only costs time: long windows are thinned to about this many.
constexpr std::size_t kMaxPoints = 1200;

bool annotated(const std::string& event) {
  static const std::vector<std::string> kinds = {"flag_set",    "flag_blocked", "code_rolled_back",
                                                 "halted",      "resumed",      "alert_fired",
                                                 "host_skipped"};
  if (std::find(kinds.begin(), kinds.end(), event) != kinds.end()) return true;
  return event.rfind("deploy", 0) == 0 || event.rfind("rollout", 0) == 0 ||
         event.rfind("canary", 0) == 0;
}

std::pair<std::int64_t, std::int64_t> window_for(std::int64_t now, std::int64_t end) {
  if (end <= kWholeRunLimitMs) return {0, std::max<std::int64_t>(end, 1)};
  const std::int64_t to = std::min(end, std::max(now + kWindowMs / 6, kWindowMs));
  return {std::max<std::int64_t>(0, to - kWindowMs), to};
}

}  // namespace

ChartsPanel::ChartsPanel(std::function<QString(std::int64_t)> clock_label, QWidget* parent)
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
  // A legend at the side would narrow that chart's plot area and misalign the shared time axis.
  plot.chart->legend()->setAlignment(Qt::AlignTop);
  // Only the hosts-per-version chart has several lines to tell apart.
  plot.chart->legend()->setVisible(title == tr("Hosts per version"));
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
  plot.view = new QChartView(plot.chart, this);
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

void ChartsPanel::refresh() {
  const auto [from, to] = window_for(now_ms_, end_ms_);
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

  // Axis ticks at round clock times, the same on every chart.
  const std::int64_t span = to - from;
  std::int64_t tick = 60'000;
  for (std::int64_t candidate :
       {60'000LL, 300'000LL, 600'000LL, 900'000LL, 1'800'000LL, 3'600'000LL, 7'200'000LL,
        21'600'000LL, 43'200'000LL, 86'400'000LL}) {
    tick = candidate;
    if (span / candidate <= 6) break;
  }
  for (auto* plot : {&loss_, &errors_, &versions_, &alerts_}) {
    for (const auto& label : plot->x->categoriesLabels()) plot->x->remove(label);
    plot->x->setRange(static_cast<double>(from) / 1000.0, static_cast<double>(to) / 1000.0);
    plot->x->setStartValue(static_cast<double>(from) / 1000.0);
    for (std::int64_t t = (from + tick - 1) / tick * tick; t <= to; t += tick) {
      plot->x->append(clock_label_(t), static_cast<double>(t) / 1000.0);
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
    if (plot == &versions_ || plot == &alerts_) {
      // Counts: whole-number ticks.
      const double count_top = std::max(1.0, std::ceil(top));
      plot->y->setRange(0.0, count_top);
      if (count_top <= 4.0) {
        plot->y->setTickCount(static_cast<int>(count_top) + 1);
      } else {
        plot->y->setTickCount(5);
        plot->y->applyNiceNumbers();
      }
    } else {
      // The error rate's axis reaches at least 1%: queueing tails give rates like 1e-50 that
      // an axis scaled to them would show as a jump from zero.
      if (plot == &errors_) top = std::max(top, 1.0);
      plot->y->setRange(0.0, top > 0.0 ? top * 1.05 : 1.0);
      plot->y->setTickCount(3);
      plot->y->applyNiceNumbers();
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
    loss_.y->applyNiceNumbers();
    loss_.y->setLabelFormat(loss_.y->max() >= 10.0 ? "%.0f" : "%.2g");
  } else {
    loss_.chart->setTitle(tr("Loss ($)"));
  }
  versions_.y->setLabelFormat("%.0f");
  alerts_.y->setLabelFormat("%.0f");
  timeline_->set_window(from, to, loss_.view);
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
  errors_.view->setVisible(!compact);
  alerts_.view->setVisible(!compact);
}

QImage ChartsPanel::render_image() {
  return grab().toImage();
}

int ChartsPanel::loss_points() const {
  return loss_.series.empty() ? 0 : static_cast<int>(loss_.series.front().second->count());
}

TimelineStrip::TimelineStrip(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(fontMetrics().height() * 3 + 12);
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
  setMinimumHeight(fontMetrics().height() * 3 + 12);
  update();
}

void TimelineStrip::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), theme_.panel);
  // Line up with the charts' plot area, which Qt Charts knows only after laying them out.
  int left = 0, width = this->width();
  if (reference_ != nullptr && reference_->chart() != nullptr) {
    const QRectF area = reference_->chart()->plotArea();
    left = static_cast<int>(area.left());
    width = std::max(1, static_cast<int>(area.width()));
  }
  const QFontMetrics metrics(font());
  const int row_height = metrics.height() + 2;
  // Labels take the first of three rows where they do not run into the previous label.
  int row_end[3] = {-1'000'000, -1'000'000, -1'000'000};
  for (const auto& line : lines_) {
    if (line.time_ms < from_ms_ || line.time_ms > to_ms_) continue;
    const int x = left + static_cast<int>(static_cast<double>(line.time_ms - from_ms_) /
                                          static_cast<double>(to_ms_ - from_ms_) * width);
    const bool alarming =
        line.event == "alert_fired" || line.event == "halted" || line.event == "code_rolled_back";
    const QColor color = alarming ? theme_.misbehaving : theme_.text;
    painter.setPen(QPen(color, 2));
    painter.drawLine(x, 0, x, height());
    // "08-01 09:30:00" or "09:30:00" -> "09:30"; "+00:10:00" -> "+00:10".
    const auto space = line.clock.rfind(' ');
    const std::string clock = line.clock.substr(space == std::string::npos ? 0 : space + 1);
    const std::string time = clock.substr(0, !clock.empty() && clock.front() == '+' ? 6 : 5);
    const QString label = QString::fromStdString(time + " " + line.text);
    const QString shown =
        metrics.elidedText(label, Qt::ElideRight, std::max(80, this->width() / 3));
    const int label_width = metrics.horizontalAdvance(shown) + 8;
    const int label_x = std::min(x + 4, this->width() - label_width);
    int row = 0;
    while (row < 3 && row_end[row] > label_x) ++row;
    // No free row: the mark stays, its words are in the event log.
    if (row == 3) continue;
    row_end[row] = label_x + label_width;
    painter.drawText(QPoint(label_x, 4 + row * row_height + metrics.ascent()), shown);
  }
}

}  // namespace deploysim::gui
