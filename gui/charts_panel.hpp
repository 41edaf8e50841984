#pragma once
// The run's time series on one shared time axis: loss (or, when the run cannot lose money, the
// hosts serving and misbehaving), error rate, hosts per version and alerts firing (Qt Charts), over
// an annotated timeline strip ("09:30 flag power_peg on"). Two time windows: the whole run so far,
// and one that follows the clock while a long run plays. The run's phases (deploy, incident,
// rollback) are shaded behind the lines. The time axis is drawn once, under the lowest chart, with
// as many ticks as its labels have room for.

#include <QChartView>
#include <QRect>
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
class QLineSeries;
class QValueAxis;
class QCategoryAxis;
QT_END_NAMESPACE

namespace deploysim::gui {

class TimelineStrip;

/// A phase as the charts shade it, in seconds of simulated time.
struct ShadedPhase {
  simulation::PhaseKind kind = simulation::PhaseKind::deploy;
  double from_s = 0.0;
  double to_s = 0.0;
};

/// A chart view that shades the run's phases over its plot area.
class PhaseChartView : public QChartView {
 public:
  PhaseChartView(QChart* chart, const std::vector<ShadedPhase>* phases, QWidget* parent);
  /// Whether this view names the phases it shades (the top chart does, once).
  void set_labelled(bool labelled) { labelled_ = labelled; }

 protected:
  void drawForeground(QPainter* painter, const QRectF& rect) override;

 private:
  const std::vector<ShadedPhase>* phases_;
  bool labelled_ = false;
};

/// The colour a phase is shaded with (translucent).
QColor phase_color(simulation::PhaseKind kind);

class ChartsPanel : public QWidget {
  Q_OBJECT
 public:
  /// `clock_label` turns simulated milliseconds into an axis label: "09:30", or at midnight the
  /// date ("08-01") when `dated`, for windows longer than a day.
  ChartsPanel(std::function<QString(std::int64_t, bool)> clock_label, QWidget* parent = nullptr);
  /// Forgets the data of the previous run. `money`: the run can lose money, and the top chart
  /// shows the loss; otherwise it shows the hosts serving and misbehaving.
  void reset(std::int64_t end_ms, bool money);
  void add(const Snapshot& snapshot);
  void set_theme(const Theme& theme);
  /// Shows only the loss chart (side-by-side panes are narrow).
  void set_compact(bool compact);
  /// The charts and the timeline as one image.
  QImage render_image();
  /// Points currently plotted in the loss chart (tests).
  int loss_points() const;
  /// true: a window that follows the clock (long runs only); false: the whole run so far.
  void set_following(bool following);
  /// The wall-clock time of day at the run's start, so that ticks fall on round clock times.
  void set_day_offset(std::int64_t ms);
  bool following() const { return following_; }
  /// The time window shown, in simulated milliseconds.
  std::pair<std::int64_t, std::int64_t> window() const;
  /// The phases shaded now (only what has happened so far).
  const std::vector<ShadedPhase>& shaded_phases() const { return shaded_; }
  /// The chart views shown, top to bottom (tests read their axis labels).
  std::vector<QChartView*> visible_views() const;
  const TimelineStrip& timeline() const { return *timeline_; }
  /// The time axis' labels, under the lowest chart.
  QStringList time_labels() const;

 protected:
  void resizeEvent(QResizeEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Plot {
    QChartView* view = nullptr;
    QChart* chart = nullptr;
    QValueAxis* y = nullptr;
    QCategoryAxis* x = nullptr;
    std::vector<std::pair<std::string, QLineSeries*>> series;  // column name -> line
    bool shown = true;
    double labels_width = 0.0;  ///< left of the plot besides the margin, as Qt last laid it out
  };
  Plot make_plot(const QString& title);
  /// `name` and, in each line's colour, the names of its lines (rich text).
  QString titled(const Plot& plot, const QString& name) const;
  static void set_title(Plot& plot, const QString& title);
  /// Adds the lines of columns that appear in `snapshot` (versions, hosts) once.
  void add_columns(const Snapshot& snapshot);
  static bool has_line(const Plot& plot, const std::string& column);
  QColor column_color(const std::string& column) const;
  void scale_y(Plot& plot, double top);
  void align_plots();
  /// Qt laid `chart` out with its plot in `area`: learns how wide its value labels are.
  void note_plot_area(QChart* chart, const QRectF& area);
  std::int64_t tick_for(std::int64_t span) const;
  int y_ticks(const Plot& plot) const;
  void fit_charts();
  void place_time_axis();
  void shade_phases(std::int64_t from, std::int64_t to);
  QLineSeries* add_line(Plot& plot, const std::string& column, const QString& name, QColor color);
  void refresh();

  std::function<QString(std::int64_t, bool)> clock_label_;
  Theme theme_ = make_theme(false);
  std::map<std::string, std::vector<double>> data_;  // column -> values, "time_s" included
  std::vector<std::size_t> version_indices_;  // catalog version of each hosts-per-version line
  std::int64_t end_ms_ = 0;
  std::int64_t now_ms_ = 0;
  bool following_ = false;
  bool compact_ = false;
  bool money_ = true;
  bool align_pending_ = false;
  bool refresh_pending_ = false;
  std::int64_t day_offset_ms_ = 0;
  std::shared_ptr<const simulation::Moments> moments_;
  std::vector<ShadedPhase> shaded_;
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

  /// A label as laid out: where it is drawn, its shown (possibly elided) text and its whole text.
  struct Label {
    QRect rect;
    QString shown;
    QString full;
  };
  /// Labels are staggered over a few rows; one that fits nowhere keeps its mark and is shown
  /// in a tooltip. No two laid-out labels overlap, and all lie inside the strip.
  std::vector<Label> layout_labels() const;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  static constexpr int kRows = 3;
  int mark_x(std::int64_t time_ms) const;
  void fit_height();
  std::vector<StoryLine> lines_;
  std::int64_t from_ms_ = 0, to_ms_ = 1;
  const QChartView* reference_ = nullptr;
  Theme theme_ = make_theme(false);
};

}  // namespace deploysim::gui
