// A teacher's controls for a live lesson: run to the next moment, step back by a re-run, the
// bookmarks of the classroom notes, the two chart windows with their shaded phases, and the
// lesson export. What the GUI shows is checked against the core run to the same event.

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "bookmarks.hpp"
#include "charts_panel.hpp"
#include "fleet_view.hpp"
#include "main_window.hpp"
#include "run_handle.hpp"
#include "run_pane.hpp"
#include "scenario/load.hpp"
#include "scenario_document.hpp"
#include "simulation/moments.hpp"
#include "simulation/simulation.hpp"

using deploysim::gui::MainWindow;
using deploysim::simulation::MomentKind;

namespace {

const std::string kScenarios = DEPLOYSIM_SOURCE_DIR "/scenarios/";
const std::string kKnight = kScenarios + "knight_capital_2012.json";
const std::string kHpa = kScenarios + "kubernetes_hpa_diurnal_rolling.json";

std::uint64_t events_shown(MainWindow& window) {
  return window.primary().events_readout().toULongLong();
}

}  // namespace

class LessonTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void run_to_next_stops_where_the_core_says_the_moment_is() {
    const auto knight = deploysim::scenario::load_scenario(kKnight);
    const auto moments = deploysim::simulation::find_moments(knight, 1);
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.wait_idle();
    // The flag at 09:30 makes the eighth server misbehave in the same event: the story's order.
    for (const auto kind : {MomentKind::flag_change, MomentKind::alert, MomentKind::rollback}) {
      const auto* expected =
          deploysim::simulation::next_moment(moments, kind, events_shown(window));
      QVERIFY(expected != nullptr);
      QVERIFY(window.run_to_next(kind));
      QCOMPARE(events_shown(window), expected->event);
      // The GUI shows the state the core has after that many events.
      deploysim::simulation::Simulation core(knight, 1);
      deploysim::simulation::run_to_event(core, expected->event);
      QCOMPARE(window.primary().misbehaving_readout(),
               QString("%1 / %2")
                   .arg(core.world().fleet().totals().misbehaving_hosts)
                   .arg(core.world().fleet().totals().live_hosts));
    }
    // Knight has no autoscaler; and once halted, it serves nobody, so its users' incident never
    // ends within the run. Nothing to run to, and the clock stays where it was.
    const auto before = events_shown(window);
    QVERIFY(!window.run_to_next(MomentKind::scaling));
    QVERIFY(!window.run_to_next(MomentKind::incident_end));
    QCOMPARE(events_shown(window), before);
  }

  void halted_hosts_are_counted_as_the_core_has_them() {
    // Knight's last bookmark is the halt at 10:15: the fleet view's legend counts the halted
    // servers as the core's fleet has them after the same events.
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.wait_idle();
    QVERIFY(window.go_to_bookmark(window.bookmarks().size() - 1));
    const auto& latest = window.primary().handle().latest();
    QVERIFY(latest != nullptr);
    // The simulation keeps a reference to its scenario: the scenario must outlive it.
    const auto knight = deploysim::scenario::load_scenario(kKnight);
    deploysim::simulation::Simulation core(knight, 1);
    deploysim::simulation::run_to_event(core, latest->events);
    const auto& fleet = core.world().fleet();
    std::int64_t halted = 0;
    for (std::size_t h = 0; h < fleet.size(); ++h) {
      halted += fleet.health_of(static_cast<deploysim::model::HostIndex>(h)) ==
                deploysim::model::Health::halted;
    }
    QCOMPARE(halted, std::int64_t{8});
    const auto down = deploysim::gui::FleetPainter::down_counts(*latest);
    QCOMPARE(down[1], halted);  // crashed, halted, starting, unreachable
    QCOMPARE(down[0], std::int64_t{0});
  }

  void the_incident_ends_when_users_are_back() {
    // Payments is rolled back, then restarts cold for 3 minutes: "incident end" stops there,
    // where the summary's time to recover says users are back, not at the rollback.
    const std::string checkout = kScenarios + "checkout_dependency_cascade.json";
    const auto scenario = deploysim::scenario::load_scenario(checkout);
    const auto summary = deploysim::simulation::run(scenario, 1).summary;
    MainWindow window;
    QVERIFY(window.open_scenario(checkout));
    window.wait_idle();
    QVERIFY(window.run_to_next(MomentKind::rollback));
    const QString rollback = window.primary().clock_readout();
    QVERIFY(window.run_to_next(MomentKind::incident_end));
    QVERIFY(window.primary().clock_readout() != rollback);
    deploysim::simulation::Simulation core(scenario, 1);
    deploysim::simulation::run_to_event(core, events_shown(window));
    QCOMPARE(core.now().to_seconds(), *summary.incident_start_s + *summary.time_to_recover_s);
  }

  void the_first_misbehaving_host_is_the_first_event_with_one() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.wait_idle();
    QVERIFY(window.run_to_next(MomentKind::first_misbehaving));
    QVERIFY(window.primary().misbehaving_readout().startsWith("1 /"));
    window.step_back();
    QVERIFY(window.primary().misbehaving_readout().startsWith("0 /"));
  }

  void stepping_back_re_runs_to_the_previous_event() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    QVERIFY(window.run_until_text("09:50"));
    window.wait_idle();
    const auto at = events_shown(window);
    window.step();
    window.wait_idle();
    const QString log_after_step = window.primary().event_log();
    window.step_back();
    QCOMPARE(events_shown(window), at);
    window.step();
    window.wait_idle();
    // The re-run shows the same story again, not a second copy of it.
    QCOMPARE(window.primary().event_log(), log_after_step);
    QCOMPARE(events_shown(window), at + 1);
    // And a run stepped back and forth ends as the core's.
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    const auto expected =
        deploysim::simulation::run(deploysim::scenario::load_scenario(kKnight), 1).summary;
    QVERIFY(window.primary().final_summary().has_value());
    QCOMPARE(QString::fromStdString(window.primary().final_summary()->dump()),
             QString::fromStdString(expected.to_json().dump()));
  }

  void side_by_side_follows_the_primary_back_in_time() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    QVERIFY(window.set_side_by_side(kScenarios + "knight_capital_2012_kill_switch.json"));
    QVERIFY(window.run_until_text("10:30"));
    window.wait_idle();
    QVERIFY(window.run_to_next(MomentKind::scaling) == false);
    window.step_back();
    QCOMPARE(window.secondary()->clock_readout(), window.primary().clock_readout());
  }

  void bookmarks_are_read_from_things_to_notice() {
    const std::string notes =
        "## What it is\n\n- `@alert` **Not a bookmark.** Outside the section.\n\n"
        "## Things to notice\n\n"
        "- `@rollback` **The rollback.** Watch it.\n"
        "- Plain item, no bookmark.\n"
        "- `@09:30` **Market open** at half past nine.\n"
        "- `@alert#2` **Second alert.** Later.\n\n"
        "## Things to try\n\n- `@end` **Nor this.**\n";
    const auto bookmarks = deploysim::gui::parse_bookmarks(notes);
    QCOMPARE(bookmarks.size(), std::size_t{3});
    QCOMPARE(bookmarks[0].name, std::string("The rollback"));
    QCOMPARE(bookmarks[0].target, std::string("rollback"));
    QCOMPARE(bookmarks[1].name, std::string("Market open"));
    QCOMPARE(bookmarks[1].target, std::string("09:30"));
    QCOMPARE(bookmarks[2].target, std::string("alert#2"));
    QVERIFY(deploysim::gui::notes_without_targets(notes).find('@') == std::string::npos);

    const auto knight = deploysim::scenario::load_scenario(kKnight);
    const auto moments = deploysim::simulation::find_moments(knight, 1);
    const auto resolve = [&](const std::string& target) {
      return deploysim::gui::resolve_bookmark(target, knight, moments);
    };
    QVERIFY(resolve("rollback") && resolve("rollback")->event);
    QCOMPARE(knight.clock.wall->date_time(resolve("09:30")->time),
             std::string("2012-08-01 09:30:00"));
    QVERIFY(!resolve("09:30")->event.has_value());
    QVERIFY(!resolve("scaling").has_value());  // Knight never scales
    QVERIFY(!resolve("alert#99").has_value());
    QVERIFY(!resolve("alert#x").has_value());
    QVERIFY(!resolve("lunch").has_value());
  }

  void every_bundled_scenarios_notes_name_bookmarks_that_its_run_reaches() {
    for (const auto& path : deploysim::gui::bundled_scenarios()) {
      const std::string name = path.filename().string();
      MainWindow window;
      QVERIFY(window.open_scenario(path));
      window.wait_idle();
      QVERIFY2(!window.bookmarks().empty(), name.c_str());
      // A scenario's own notes name moments of its own run: each lands, in the notes' order
      // and back again to the first. A variant shares its base's notes, and a moment its
      // counterfactual never reaches is refused without moving the clock.
      auto own = path;
      const bool own_notes = std::filesystem::exists(own.replace_extension(".info.md"));
      for (std::size_t i = 0; i < window.bookmarks().size(); ++i) {
        const QString before = window.primary().clock_readout();
        const bool landed = window.go_to_bookmark(i);
        QVERIFY2(landed || !own_notes, (name + ": " + window.bookmarks()[i].target).c_str());
        if (!landed) QCOMPARE(window.primary().clock_readout(), before);
      }
      if (own_notes) QVERIFY(window.go_to_bookmark(0));
    }
  }

  void lesson_export_writes_a_slide_per_bookmark() {
    QTemporaryDir dir;
    QProcess gui;
    gui.start(DEPLOYSIM_GUI_BINARY,
              {"--screenshot-bookmarks", dir.filePath("slides"), "--scenario",
               QString::fromStdString(kKnight), "--side-by-side",
               QString::fromStdString(kScenarios + "knight_capital_2012_preflight_gate.json"),
               "--size", "1280x720"});
    QVERIFY(gui.waitForFinished(120000));
    QCOMPARE(gui.exitCode(), 0);
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    const QStringList written = QDir(dir.filePath("slides")).entryList({"*.png"}, QDir::Files);
    QCOMPARE(static_cast<std::size_t>(written.size()), window.bookmarks().size());
    QVERIFY(written.contains("04-the-rollback.png"));
    for (const QString& file : written) {
      QCOMPARE(QImage(dir.filePath("slides/" + file)).size(), QSize(1280, 720));
    }
    // The file names are printed, one a line, for a script to pick up.
    QCOMPARE(gui.readAllStandardOutput().count('\n'), written.size());

    QProcess lost;
    lost.start(DEPLOYSIM_GUI_BINARY, {"--screenshot-bookmarks", dir.filePath("x")});
    QVERIFY(lost.waitForFinished(60000));
    QCOMPARE(lost.exitCode(), 2);
    QVERIFY(lost.readAllStandardError().contains("needs --scenario"));
  }

  void charts_show_the_whole_run_or_follow_the_clock() {
    MainWindow window;
    QVERIFY(window.open_scenario(kHpa));
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    auto& charts = window.primary().charts();
    const std::int64_t end = window.loaded()->scenario->clock.end.ms();
    // The whole day by default at the end, with the rollout shaded as a deploy phase.
    QVERIFY(!charts.following());
    QCOMPARE(charts.window().first, std::int64_t{0});
    QCOMPARE(charts.window().second, end);
    bool deploy = false;
    for (const auto& phase : charts.shaded_phases()) {
      deploy = deploy || phase.kind == deploysim::simulation::PhaseKind::deploy;
    }
    QVERIFY(deploy);
    // W: a window of 90 minutes that follows the clock.
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_W);
    QVERIFY(charts.following());
    QCOMPARE(charts.window().second - charts.window().first, std::int64_t{90 * 60'000});
    QTest::keyClick(&window, Qt::Key_W);
    QVERIFY(!charts.following());
  }

  void phases_are_shaded_only_once_they_have_happened() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    QVERIFY(window.run_until_text("09:00"));
    window.wait_idle();
    const auto kinds = [&] {
      std::vector<deploysim::simulation::PhaseKind> shown;
      for (const auto& phase : window.primary().charts().shaded_phases())
        shown.push_back(phase.kind);
      return shown;
    };
    using deploysim::simulation::PhaseKind;
    const auto early = kinds();
    QVERIFY(std::find(early.begin(), early.end(), PhaseKind::incident) == early.end());
    QVERIFY(std::find(early.begin(), early.end(), PhaseKind::deploy) != early.end());
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    const auto late = kinds();
    QVERIFY(std::find(late.begin(), late.end(), PhaseKind::incident) != late.end());
    QVERIFY(std::find(late.begin(), late.end(), PhaseKind::rollback) != late.end());
  }
};

QTEST_MAIN(LessonTest)
#include "lesson_test.moc"
