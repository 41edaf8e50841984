// The classroom GUI, driven as a teacher would: controls, parameters, side-by-side, bad files
// and the headless screenshot mode. Results are checked against the core's simulation::run and
// the CLI for the same scenario and seed.

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QImage>
#include <QMessageBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <set>
#include <sstream>

#include "charts_panel.hpp"
#include "fleet_view.hpp"
#include "main_window.hpp"
#include "parameters_panel.hpp"
#include "run_handle.hpp"
#include "run_pane.hpp"
#include "scenario/load.hpp"
#include "scenario_document.hpp"
#include "simulation/simulation.hpp"
#include "verify/search.hpp"

using deploysim::gui::MainWindow;
using nlohmann::json;

namespace {

const std::string kScenarios = DEPLOYSIM_SOURCE_DIR "/scenarios/";
const std::string kKnight = kScenarios + "knight_capital_2012.json";

json core_summary(const std::string& file, std::uint64_t seed) {
  const auto scenario = deploysim::scenario::load_scenario(file);
  return json(deploysim::simulation::run(scenario, seed).summary.to_json());
}

json gui_summary(deploysim::gui::RunPane& pane) {
  const auto summary = pane.final_summary();
  return summary ? json(*summary) : json();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void setup_step_and_run_until_drive_the_clock() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.wait_idle();
    QCOMPARE(window.primary().clock_readout(), QString("2012-07-27 08:00:00"));
    QCOMPARE(window.primary().events_readout(), QString("0"));

    window.step();
    window.wait_idle();
    QCOMPARE(window.primary().events_readout(), QString("1"));

    QVERIFY(window.run_until_text("09:31"));
    window.wait_idle();
    QCOMPARE(window.primary().clock_readout(), QString("2012-08-01 09:31:00"));
    QVERIFY(window.primary().event_log().contains("09:30:00  flag power_peg on"));
    // The alert's transition as the notification log writes it (deploysim run --notifications).
    QVERIFY2(window.primary().event_log().contains("09:31:00  CRITICAL unusual_trading"),
             qPrintable(window.primary().event_log().right(600)));

    // Reset goes back to the start.
    window.reset();
    window.wait_idle();
    QCOMPARE(window.primary().clock_readout(), QString("2012-07-27 08:00:00"));
    QVERIFY(!window.primary().event_log().contains("power_peg"));
  }

  void typed_times_read_as_a_teacher_means_them() {
    const auto knight = deploysim::scenario::load_scenario(kKnight);
    const auto at = [&](const std::string& text) {
      return deploysim::gui::parse_time_text(knight, text);
    };
    const auto clock = [&](deploysim::engine::Time t) { return knight.clock.wall->date_time(t); };
    // A time of day is on the day the run ends: Knight's incident day, not its first day.
    QCOMPARE(clock(*at("10:15")), std::string("2012-08-01 10:15:00"));
    QCOMPARE(clock(*at("9:30:30")), std::string("2012-08-01 09:30:30"));
    QCOMPARE(clock(*at("2012-07-28T12:00")), std::string("2012-07-28 12:00:00"));
    QCOMPARE(clock(*at("+45min")), std::string("2012-07-27 08:45:00"));
    QVERIFY(*at("end") == knight.clock.end);
    for (const char* bad : {"", "25:00", "10:61", "10:", "ten", "+5 parsecs", "10:15:00:00"}) {
      QVERIFY2(!at(bad).has_value(), bad);
    }

    // A run that ends at midnight: 13:31 is on its one full day, not on the day it ends.
    const auto hpa =
        deploysim::scenario::load_scenario(kScenarios + "kubernetes_hpa_diurnal_rolling.json");
    const auto hpa_time = deploysim::gui::parse_time_text(hpa, "13:31");
    QVERIFY(hpa_time.has_value());
    QCOMPARE(hpa.clock.wall->date_time(*hpa_time), std::string("2024-03-04 13:31:00"));
  }

  void go_advances_and_pause_stops() {
    MainWindow window;
    QVERIFY(window.open_scenario(kScenarios + "kubernetes_rolling_bad_version.json"));
    window.wait_idle();
    window.set_speed_index(3);  // 30 simulated seconds per second
    window.go();
    QVERIFY(window.running());
    QTRY_VERIFY_WITH_TIMEOUT(window.primary().events_readout().toULongLong() > 0, 5000);
    window.pause();
    window.wait_idle();
    const QString paused_at = window.primary().clock_readout();
    QTest::qWait(200);
    QCOMPARE(window.primary().clock_readout(), paused_at);
  }

  void results_equal_the_core_run_and_the_cli() {
    // Every bundled scenario, as the picker lists them.
    const auto bundled = deploysim::gui::bundled_scenarios();
    QVERIFY(bundled.size() >= 10);
    for (const auto& path : bundled) {
      const std::string name = path.filename().string();
      MainWindow window;
      QVERIFY(window.open_scenario(kScenarios + name));
      // A slice in the middle first: a run paused and resumed ends as one run straight through.
      QVERIFY(window.run_until_text("+1h"));
      window.wait_idle();
      QVERIFY(window.run_until_text("end"));
      window.wait_idle();
      const std::uint64_t seed = window.loaded()->scenario->seed;
      QVERIFY2(gui_summary(window.primary()).dump() == core_summary(kScenarios + name, seed).dump(),
               name.c_str());
    }
    // The CLI prints the same summary.
    QProcess cli;
    cli.start(DEPLOYSIM_BINARY, {"run", QString::fromStdString(kKnight), "--seed", "7", "--json"});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    const json printed = json::parse(cli.readAllStandardOutput().toStdString());
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.parameters().set_seed(7);
    window.reset();
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    QCOMPARE(gui_summary(window.primary()).dump(), printed["summary"].dump());
  }

  void speed_never_changes_the_result() {
    // The same run sliced three ways: by the pacer at two speeds, and in one go.
    const std::string file = kScenarios + "kubernetes_rolling_bad_version.json";
    std::vector<std::pair<json, QString>> outcomes;
    for (int speed : {5, 7, -1}) {
      MainWindow window;
      QVERIFY(window.open_scenario(file));
      window.wait_idle();
      if (speed < 0) {
        QVERIFY(window.run_until_text("end"));
      } else {
        window.set_speed_index(speed);
        window.go();
        QTRY_VERIFY_WITH_TIMEOUT(!window.running(), 60000);
      }
      window.wait_idle();
      QVERIFY(window.primary().final_summary().has_value());
      outcomes.emplace_back(gui_summary(window.primary()), window.primary().event_log());
    }
    QCOMPARE(outcomes[0].first.dump(), outcomes[2].first.dump());
    QCOMPARE(outcomes[1].first.dump(), outcomes[2].first.dump());
    QCOMPARE(outcomes[0].second, outcomes[2].second);
    QCOMPARE(outcomes[1].second, outcomes[2].second);
  }

  void worker_slices_never_change_the_result() {
    const auto scenario =
        std::make_shared<deploysim::spec::Scenario>(deploysim::scenario::load_scenario(kKnight));
    const json expected = json(deploysim::simulation::run(*scenario, 3).summary.to_json());
    // Odd slices through the incident morning (the days before are quiet, and half a million
    // thread round trips through them would test only the machine's patience), minutes and
    // seven-hour slices through the whole run.
    const std::int64_t morning = deploysim::gui::parse_time_text(*scenario, "09:00")->ms();
    using Slicing = std::pair<std::int64_t, std::int64_t>;
    for (const auto& [slice_ms, from_ms] :
         {Slicing{997, morning}, Slicing{60'000, 0}, Slicing{3'600'000LL * 7, 0}}) {
      deploysim::gui::RunHandle handle;
      handle.setup(scenario, 3);
      for (std::int64_t t = from_ms; t <= scenario->clock.end.ms() + slice_ms; t += slice_ms) {
        handle.advance_to(t);
        handle.wait_idle();
      }
      QVERIFY(handle.latest()->final_summary.has_value());
      QCOMPARE(json(*handle.latest()->final_summary).dump(), expected.dump());
    }
  }

  void parameters_apply_on_reset_with_a_pending_badge() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    QVERIFY(!window.parameters().pending());
    auto* gate = window.parameters().findChild<QCheckBox*>("Pre-flight gate");
    QVERIFY(gate != nullptr);
    gate->setChecked(true);
    QVERIFY(window.parameters().pending());
    // Not applied yet: the running scenario still has no gate.
    QVERIFY(!window.primary().scenario()->deployment->preflight_gate);
    window.reset();
    QVERIFY(!window.parameters().pending());
    QVERIFY(window.primary().scenario()->deployment->preflight_gate);
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    const json summary = gui_summary(window.primary());
    // The gate refuses the flag while smars-8 lacks the new code: no loss.
    QCOMPARE(summary["loss_usd"].get<double>(), 0.0);
    QVERIFY(summary["flag_changes_blocked"].get<int>() > 0);
    const auto expected = deploysim::simulation::run(
        deploysim::scenario::load_scenario(kKnight, {"deployment.preflight_gate=true"}), 1);
    QCOMPARE(summary.dump(), json(expected.summary.to_json()).dump());
  }

  void side_by_side_runs_both_in_lockstep_with_one_seed() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    const std::string variant = kScenarios + "knight_capital_2012_kill_switch.json";
    QVERIFY(window.set_side_by_side(variant));
    QVERIFY(window.secondary() != nullptr);
    QVERIFY(window.run_until_text("09:50"));
    window.wait_idle();
    QCOMPARE(window.secondary()->clock_readout(), window.primary().clock_readout());
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    QCOMPARE(gui_summary(*window.secondary()).dump(), core_summary(variant, 1).dump());
    QVERIFY(gui_summary(*window.secondary())["loss_usd"].get<double>() <
            gui_summary(window.primary())["loss_usd"].get<double>());
  }

  void a_counterexample_replays_beside_the_fault_free_run() {
    // The counterexample deploysim verify finds for Knight's plan: one skipped server.
    const auto knight = deploysim::scenario::load_scenario(kKnight);
    deploysim::verify::SearchOptions options;
    options.max_faults = 1;
    const auto report = deploysim::verify::verify(
        knight, {deploysim::verify::Property::named("flag_consistency", knight)}, options);
    QVERIFY(report.counterexample.has_value());
    const auto file = QDir::temp().filePath("deploysim_gui_counterexample.json").toStdString();
    {
      std::ofstream out(file);
      out << report.counterexample->schedule.to_json().dump(2);
    }
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    QVERIFY(window.replay_counterexample(file));
    QVERIFY(window.secondary() != nullptr);
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    QCOMPARE(gui_summary(*window.secondary()).dump(),
             json(report.counterexample->result.summary.to_json()).dump());
    // The left pane is the plan without faults: nothing lost.
    QCOMPARE(gui_summary(window.primary())["loss_usd"].get<double>(), 0.0);
    QVERIFY(window.secondary()->event_log().contains("smars-1 skipped"));
    // A schedule for another scenario is refused with the error dialog.
    QVERIFY(window.open_scenario(kScenarios + "nodejs_haproxy_manual.json"));
    QVERIFY(!window.replay_counterexample(file));
    std::remove(file.c_str());
  }

  void bad_files_show_the_error_with_its_json_pointer() {
    for (const std::string name : {"batch_size_zero", "canary_step_misspelt", "alert_name_twice"}) {
      MainWindow window;
      const std::string stem = DEPLOYSIM_TEST_DATA "/bad/" + name;
      QVERIFY(!window.open_scenario(stem + ".json"));
      auto* box = window.findChild<QMessageBox*>("input_error");
      QVERIFY(box != nullptr);
      QVERIFY(box->isVisible());
      // The fixture's expected message names the file as given; the dialog names its full path.
      std::string expected = read_text(stem + ".expected");
      expected = expected.substr(expected.find(": ") + 2);
      while (!expected.empty() && expected.back() == '\n') expected.pop_back();
      const std::string first_line = expected.substr(0, expected.find('\n'));
      QVERIFY2(box->text().toStdString().find(first_line) != std::string::npos,
               qPrintable(box->text() + " lacks " + QString::fromStdString(first_line)));
      box->close();
    }
    // Missing and malformed files, too.
    MainWindow window;
    QVERIFY(!window.open_scenario("/nonexistent/scenario.json"));
    QVERIFY(window.findChild<QMessageBox*>("input_error") != nullptr);
  }

  void screenshot_mode_writes_a_png_of_the_requested_size() {
    QTemporaryDir dir;
    const QString out = dir.filePath("shot.png");
    QProcess gui;
    gui.start(DEPLOYSIM_GUI_BINARY,
              {"--screenshot", out, "--scenario", QString::fromStdString(kKnight), "--until",
               "09:45", "--size", "1280x720", "--side-by-side",
               QString::fromStdString(kScenarios + "knight_capital_2012_flag_off.json")});
    QVERIFY(gui.waitForFinished(60000));
    QCOMPARE(gui.exitCode(), 0);
    const QImage image(out);
    QCOMPARE(image.size(), QSize(1280, 720));
    // Not blank: the fleet, the charts and text give many colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
      for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
    }
    QVERIFY(colours.size() > 20);

    QProcess bad;
    bad.start(DEPLOYSIM_GUI_BINARY, {"--screenshot", dir.filePath("bad.png"), "--scenario",
                                     DEPLOYSIM_TEST_DATA "/bad/batch_size_zero.json"});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("/deployment/strategy/batch_size"));

    QProcess usage;
    usage.start(DEPLOYSIM_GUI_BINARY, {"--screenshot", dir.filePath("x.png"), "--bogus"});
    QVERIFY(usage.waitForFinished(60000));
    QCOMPARE(usage.exitCode(), 2);
    QVERIFY(usage.readAllStandardError().contains("bogus"));
  }

  void exported_run_repeats_the_same_result() {
    MainWindow window;
    QVERIFY(window.open_scenario(kKnight));
    window.parameters().set_seed(42);
    auto* gate = window.parameters().findChild<QCheckBox*>("Kill switch");
    QVERIFY(gate != nullptr);
    gate->setChecked(true);
    window.reset();
    QVERIFY(window.run_until_text("end"));
    window.wait_idle();
    QTemporaryDir dir;
    const QString file = dir.filePath("run.json");
    QVERIFY(window.export_run(file));
    const auto exported = deploysim::scenario::load_scenario(file.toStdString());
    QCOMPARE(exported.seed, std::uint64_t{42});
    QCOMPARE(gui_summary(window.primary()).dump(),
             json(deploysim::simulation::run(exported, exported.seed).summary.to_json()).dump());
    QVERIFY(window.export_charts(dir.filePath("charts.png")));
    QVERIFY(!QImage(dir.filePath("charts.png")).isNull());
  }

  void presentation_controls_scale_text_and_show_shortcuts() {
    MainWindow window;
    const double normal = QApplication::font().pointSizeF();
    window.set_text_scale(5.0);  // clamped
    QCOMPARE(window.text_scale(), 1.8);
    QVERIFY(QApplication::font().pointSizeF() > normal * 1.7);
    window.set_high_contrast(true);
    QCOMPARE(QApplication::palette().color(QPalette::Window), QColor("#000000"));
    window.set_text_scale(1.0);
    window.set_high_contrast(false);
    QCOMPARE(QApplication::font().pointSizeF(), normal);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(!window.shortcuts_shown());
    QTest::keyClick(&window, Qt::Key_F1);
    QVERIFY(window.shortcuts_shown());
    QTest::keyClick(&window, Qt::Key_Escape);
    QVERIFY(!window.shortcuts_shown());
  }

  void keyboard_space_and_right_arrow_drive_the_run() {
    MainWindow window;
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.open_scenario(kKnight));
    window.wait_idle();
    QTest::keyClick(&window, Qt::Key_Right);
    window.wait_idle();
    QCOMPARE(window.primary().events_readout(), QString("1"));
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(window.running());
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(!window.running());
  }

  void fleet_of_ten_thousand_hosts_fits_with_aggregate_tiles() {
    json document =
        json::parse(read_text(DEPLOYSIM_SOURCE_DIR "/bench/scenarios/rolling_100.json"));
    document["fleet"]["web"]["hosts"] = 10000;
    document["deployment"]["strategy"]["batch_size"] = 1000;
    QTemporaryDir dir;
    const std::string file = dir.filePath("big.json").toStdString();
    std::ofstream(file) << document.dump();
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(window.open_scenario(file));
    QVERIFY(window.run_until_text("+3min"));
    window.wait_idle();
    QApplication::processEvents();
    auto& fleet = window.primary().fleet();
    const auto& painter = fleet.fleet_painter();
    QVERIFY(painter.tile_size() >= 7);
    QVERIFY(painter.hosts_per_tile() > 1);
    // The tiles map back to hosts under the mouse, the last host included.
    std::set<std::uint32_t> seen;
    for (int y = 0; y < fleet.height(); y += 2) {
      for (int x = 0; x < fleet.width(); x += 2) {
        if (const auto host = painter.host_at(QPoint(x, y))) seen.insert(*host);
      }
    }
    QVERIFY(seen.size() * static_cast<std::size_t>(painter.hosts_per_tile()) >= 10000);
    QVERIFY(fleet.describe_host(*seen.begin()).contains("web-"));
  }
};

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
