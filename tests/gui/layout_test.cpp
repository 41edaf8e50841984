// Legibility on a classroom projector: every bundled scenario, rendered at 1024x768, 1280x720
// and 1920x1080, in normal and presentation mode, checked from the widgets themselves: no chart
// label (axis ticks, titles) is elided, no chart is empty, every plot starts at the same x, no
// two timeline labels overlap or leave the strip, every bookmark is a button on screen, and the
// fleet view draws exactly the hosts the header counts.

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QLineSeries>
#include <QToolBar>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "charts_panel.hpp"
#include "fleet_view.hpp"
#include "main_window.hpp"
#include "run_handle.hpp"
#include "run_pane.hpp"
#include "scenario_document.hpp"

using deploysim::gui::MainWindow;
using deploysim::gui::RunPane;

namespace {

const QList<QSize> kSizes = {QSize(1024, 768), QSize(1280, 720), QSize(1920, 1080)};

bool elided(const QString& text) {
  return text.contains(QChar(0x2026)) || text.contains("...");
}

// The chart texts shown (tick labels and titles), as Qt Charts laid them out.
QStringList chart_texts(QChartView* view) {
  QStringList texts;
  for (QGraphicsItem* item : view->scene()->items()) {
    const auto* text = dynamic_cast<QGraphicsTextItem*>(item);
    if (text != nullptr && text->isVisible() && !text->toPlainText().isEmpty()) {
      texts << text->toPlainText();
    }
  }
  return texts;
}

void settle(MainWindow& window) {
  window.wait_idle();
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
}

QString where(const std::string& name, QSize size, bool presentation) {
  return QString("%1 at %2x%3%4")
      .arg(QString::fromStdString(name))
      .arg(size.width())
      .arg(size.height())
      .arg(presentation ? " (presentation)" : "");
}

}  // namespace

class LayoutTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void every_bundled_scenario_is_legible_at_three_sizes() {
    const auto bundled = deploysim::gui::bundled_scenarios();
    QVERIFY(bundled.size() >= 10);
    for (const auto& path : bundled) {
      const std::string name = path.filename().string();
      MainWindow window;
      QVERIFY(window.open_scenario(path));
      QVERIFY(window.run_until_text("end"));
      window.show();
      settle(window);
      for (const bool presentation : {false, true}) {
        window.set_presentation_look(presentation);
        for (const QSize size : kSizes) {
          window.resize(size);
          settle(window);
          check(window, where(name, size, presentation));
        }
      }
      window.set_presentation_look(false);
    }
  }

  void side_by_side_panes_are_legible() {
    // Two panes halve the width: each pane's read-outs and chart labels must still fit.
    const std::string dir = DEPLOYSIM_SOURCE_DIR "/scenarios/";
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {"fastly_2021_config_push.json", "fastly_2021_staged_config_push.json"},
        {"knight_capital_2012.json", "knight_capital_2012_kill_switch.json"}};
    for (const auto& [base, variant] : pairs) {
      MainWindow window;
      QVERIFY(window.open_scenario(dir + base));
      QVERIFY(window.set_side_by_side(dir + variant));
      QVERIFY(window.run_until_text("end"));
      window.show();
      settle(window);
      for (const bool presentation : {false, true}) {
        window.set_presentation_look(presentation);
        for (const QSize size : kSizes) {
          window.resize(size);
          settle(window);
          const QString where = ::where(base + " beside " + variant, size, presentation);
          for (RunPane* pane : {&window.primary(), window.secondary()}) {
            check_readouts(*pane, where);
            for (QChartView* view : pane->charts().visible_views()) {
              for (const QString& text : chart_texts(view)) {
                QVERIFY2(!elided(text), qPrintable(where + ": \"" + text + "\" is elided"));
              }
            }
          }
        }
      }
      window.set_presentation_look(false);
    }
  }

  void the_check_sees_labels_that_qt_elides() {
    // The same check on a chart far too small for its labels must complain, or it proves
    // nothing at the real sizes.
    auto* chart = new QChart;
    auto* axis = new QCategoryAxis;
    axis->append("a label much too long for its place", 1.0);
    axis->append("another label much too long", 2.0);
    axis->setRange(0.0, 3.0);
    chart->addAxis(axis, Qt::AlignBottom);
    QChartView view(chart);
    view.resize(160, 120);
    view.show();
    QApplication::processEvents();
    bool any = false;
    for (const QString& text : chart_texts(&view)) any = any || elided(text);
    QVERIFY(any);
  }

 private:
  // The read-outs share the pane's width: none may need more than it has (its text cut).
  static void check_readouts(RunPane& pane, const QString& where) {
    for (const QLabel* readout : pane.findChildren<QLabel*>("readout")) {
      QVERIFY2(readout->sizeHint().width() <= readout->width() + 1,
               qPrintable(where + ": read-out \"" + readout->text() + "\" is cut (" +
                          QString::number(readout->sizeHint().width()) + " > " +
                          QString::number(readout->width()) + ")"));
    }
  }

  static void check(MainWindow& window, const QString& where) {
    auto& charts = window.primary().charts();
    const auto views = charts.visible_views();
    QVERIFY2(!views.empty(), qPrintable(where));
    // Nothing elided, and the time axis drawn once: its labels (two at least) are all shown
    // under the lowest chart, and no other chart shows them.
    const QStringList time_labels = charts.time_labels();
    QVERIFY2(time_labels.size() >= 2, qPrintable(where + ": too few time labels"));
    for (QChartView* view : views) {
      const QStringList texts = chart_texts(view);
      for (const QString& text : texts) {
        QVERIFY2(!elided(text), qPrintable(where + ": \"" + text + "\" is elided in \"" +
                                           view->chart()->title() + "\""));
      }
      for (const QString& label : time_labels) {
        QVERIFY2(texts.contains(label) == (view == views.back()),
                 qPrintable(where + ": time label \"" + label + "\""));
      }
    }

    // No empty chart, and one left edge for every plot, so that a time lines up from chart to
    // chart under the one time axis.
    const double left = views.front()->chart()->plotArea().left();
    for (QChartView* view : views) {
      const auto series = view->chart()->series();
      const bool drawn = std::any_of(series.begin(), series.end(), [](QAbstractSeries* s) {
        const auto* line = qobject_cast<QLineSeries*>(s);
        return line != nullptr && line->count() >= 2;
      });
      QVERIFY2(drawn, qPrintable(where + ": \"" + view->chart()->title() + "\" is empty"));
      QVERIFY2(std::abs(view->chart()->plotArea().left() - left) <= 1.0,
               qPrintable(where + ": \"" + view->chart()->title() + "\" starts at " +
                          QString::number(view->chart()->plotArea().left()) + ", not " +
                          QString::number(left)));
    }

    // Every bookmark of the classroom notes is a button on screen, not in an overflow menu.
    const auto* bookmarks = window.findChild<QToolBar*>("bookmarks");
    QVERIFY2(bookmarks != nullptr && bookmarks->isVisible(), qPrintable(where));
    QCOMPARE(static_cast<std::size_t>(bookmarks->actions().size()), window.bookmarks().size());
    for (QAction* action : bookmarks->actions()) {
      const QWidget* button = bookmarks->widgetForAction(action);
      QVERIFY2(button != nullptr && button->isVisible() &&
                   bookmarks->rect().contains(button->geometry()),
               qPrintable(where + ": bookmark \"" + action->toolTip() + "\" is off the bar"));
    }

    const auto labels = charts.timeline().layout_labels();
    const QRect strip = charts.timeline().rect();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      QVERIFY2(strip.contains(labels[i].rect),
               qPrintable(where + ": \"" + labels[i].shown + "\" leaves the strip"));
      for (std::size_t j = i + 1; j < labels.size(); ++j) {
        QVERIFY2(!labels[i].rect.intersects(labels[j].rect),
                 qPrintable(where + ": \"" + labels[i].shown + "\" overlaps \"" + labels[j].shown +
                            "\""));
      }
    }

    check_readouts(window.primary(), where);

    // One host count everywhere: the header's and the fleet view's slots.
    const auto& latest = window.primary().handle().latest();
    QVERIFY(latest != nullptr);
    QCOMPARE(window.primary().fleet().fleet_painter().slots(), latest->live_hosts);
    QVERIFY(window.primary().misbehaving_readout().endsWith("/ " +
                                                            QString::number(latest->live_hosts)));
  }
};

QTEST_MAIN(LayoutTest)
#include "layout_test.moc"
