#pragma once
// The run's time series on one shared time axis: loss, error rate, hosts per version and alerts
// firing (Qt Charts), over an annotated timeline strip ("09:30 flag power_peg on"). Long runs
// (more than six hours) show a window that follows the clock; short ones show the whole run.

#include <QWidget>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "snapshot.hpp"
#include "theme.hpp"

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;
class QCategoryAxis;
QT_END_NAMESPACE

namespace deploysim::gui {

class TimelineStrip;

class ChartsPanel : public QWidget {
  Q_OBJECT
 public:
  /// `clock_label` turns simulated milliseconds into an axis label ("09:30").
  ChartsPanel(std::function<QString(std::int64_t)> clock_label, QWidget* parent = nullptr);
  /// Forgets the data of the previous run.
  void reset(std::int64_t end_ms);
  void add(const Snapshot& snapshot);
  void set_theme(const Theme& theme);
  /// Shows only the loss chart (side-by-side panes are narrow).
  void set_compact(bool compact);
  /// The charts and the timeline as one image.
  QImage render_image();
  /// Points currently plotted in the loss chart (tests).
  int loss_points() const;

 private:
  struct Plot {
    QChartView* view = nullptr;
    QChart* chart = nullptr;
    QValueAxis* y = nullptr;
    QCategoryAxis* x = nullptr;
    std::vector<std::pair<std::string, QLineSeries*>> series;  // column name -> line
  };
  Plot make_plot(const QString& title);
  QLineSeries* add_line(Plot& plot, const std::string& column, const QString& name, QColor color);
  void refresh();

  std::function<QString(std::int64_t)> clock_label_;
  Theme theme_ = make_theme(false);
  std::map<std::string, std::vector<double>> data_;  // column -> values, "time_s" included
  std::vector<std::string> version_columns_;
  std::vector<std::size_t> version_indices_;  // catalog version of each hosts-per-version line
  std::int64_t end_ms_ = 0;
  std::int64_t now_ms_ = 0;
  Plot loss_, errors_, versions_, alerts_;
  TimelineStrip* timeline_ = nullptr;
};

/// Marks of the story on the charts' time window, with short labels.
class TimelineStrip : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineStrip(QWidget* parent = nullptr);
  void reset() {
    lines_.clear();
    update();
  }
  void add(const std::vector<StoryLine>& lines);
  /// `reference` is the chart whose plot area the strip lines up with.
  void set_window(std::int64_t from_ms, std::int64_t to_ms, const QChartView* reference);
  void set_theme(const Theme& theme) {
    theme_ = theme;
    update();
  }
  const std::vector<StoryLine>& lines() const { return lines_; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<StoryLine> lines_;
  std::int64_t from_ms_ = 0, to_ms_ = 1;
  const QChartView* reference_ = nullptr;
  Theme theme_ = make_theme(false);
};

}  // namespace deploysim::gui
