// deploysim-gui: the classroom front end. With --screenshot it renders one frame headless
// (offscreen platform) and exits, for docs and tests.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QImage>
#include <QMessageBox>
#include <QRegularExpression>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "main_window.hpp"
#include "parameters_panel.hpp"

namespace {

constexpr int kUsageError = 2;

int fail(const QString& message) {
  std::cerr << "deploysim-gui: " << message.toStdString() << '\n';
  return kUsageError;
}

QImage grab_settled(deploysim::gui::MainWindow& window) {
  window.wait_idle();
  window.show();
  // Let layouts settle and the last snapshot reach every widget before grabbing.
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  return window.grab().toImage();
}

// "Market open!" -> "market-open"
QString slug(const std::string& name) {
  QString text = QString::fromStdString(name).toLower();
  text.replace(QRegularExpression("[^a-z0-9]+"), "-");
  while (text.startsWith('-')) text.remove(0, 1);
  while (text.endsWith('-')) text.chop(1);
  return text;
}

// One PNG per bookmark, in the notes' order; a bookmark the run never reaches is said and
// skipped, so the slides of a counterfactual can be made from the same notes.
int write_bookmarks(deploysim::gui::MainWindow& window, const QString& directory) {
  if (!window.loaded()) return kUsageError;
  if (window.bookmarks().empty()) {
    return fail("the classroom notes of " +
                QString::fromStdString(window.loaded()->path.filename().string()) +
                " name no bookmarks (see docs/gui.md)");
  }
  if (!QDir().mkpath(directory)) return fail("could not create " + directory);
  window.wait_idle();
  for (std::size_t i = 0; i < window.bookmarks().size(); ++i) {
    const auto& bookmark = window.bookmarks()[i];
    if (!window.go_to_bookmark(i)) {
      std::cerr << "deploysim-gui: skipped bookmark \"" << bookmark.name << "\": this run has no "
                << bookmark.target << '\n';
      continue;
    }
    const QString file = QDir(directory).filePath(
        QString("%1-%2.png").arg(i + 1, 2, 10, QChar('0')).arg(slug(bookmark.name)));
    if (!grab_settled(window).save(file, "PNG")) return fail("could not write " + file);
    std::cout << file.toStdString() << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The platform must be chosen before QApplication exists: look for --screenshot by hand.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--screenshot" || arg == "--screenshot-bookmarks") &&
        std::getenv("QT_QPA_PLATFORM") == nullptr) {
      setenv("QT_QPA_PLATFORM", "offscreen", 1);
    }
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("deploysim-gui");
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "The deploysim classroom GUI: watch a deployment scenario run, change its parameters, and "
      "compare two variants side by side.\n\n"
      "Examples:\n"
      "  deploysim-gui --scenario scenarios/knight_capital_2012.json\n"
      "  deploysim-gui --screenshot knight.png --scenario scenarios/knight_capital_2012.json "
      "--until 09:45 --size 1920x1080\n"
      "  deploysim-gui --screenshot both.png --scenario scenarios/knight_capital_2012.json "
      "--side-by-side scenarios/knight_capital_2012_kill_switch.json --until 10:15\n"
      "  deploysim-gui --screenshot-bookmarks slides/ --scenario "
      "scenarios/knight_capital_2012.json "
      "--side-by-side scenarios/knight_capital_2012_preflight_gate.json --size 1280x720\n\n"
      "Bookmarks are named in a scenario's classroom notes (<name>.info.md, \"Things to notice\"); "
      "see docs/gui.md.");
  parser.addHelpOption();
  const QCommandLineOption scenario({"s", "scenario"}, "Scenario file to open.", "FILE");
  const QCommandLineOption seed("seed", "Random seed (default: the scenario's).", "N");
  const QCommandLineOption until(
      "until",
      "Run until this time before showing: \"10:15\" (on the last day of the run that has it), "
      "\"2012-08-01T10:15\", \"+45min\" from the start, or \"end\".",
      "TIME");
  const QCommandLineOption side("side-by-side", "Run this variant beside the scenario, same seed.",
                                "VARIANT");
  const QCommandLineOption screenshot("screenshot",
                                      "Render the window to this PNG headless and exit.", "PNG");
  const QCommandLineOption bookmarks(
      "screenshot-bookmarks",
      "Write a slide-ready PNG at each bookmark of the scenario's classroom notes into DIR "
      "(\"01-market-open.png\", ...), headless, and exit. With --side-by-side, each shows the "
      "counterfactual beside the scenario at the same instant.",
      "DIR");
  const QCommandLineOption size(
      "size", "Window size for --screenshot and --screenshot-bookmarks (default 1920x1080).", "WxH",
      "1920x1080");
  const QCommandLineOption follow(
      "follow",
      "Charts show the 90-minute window that follows the clock (runs over six hours) instead of "
      "the whole run so far; W switches in the window.");
  const QCommandLineOption present("presentation",
                                   "Start in presentation mode (large text, high contrast).");
  const QCommandLineOption contrast("high-contrast", "High-contrast theme.");
  const QCommandLineOption parameters("parameters",
                                      "Show the Parameters panel in front of the About panel.");
  parser.addOptions({scenario, seed, until, side, screenshot, bookmarks, size, follow, present,
                     contrast, parameters});
  // parse(), not process(): process() exits with 1 on a bad option, and usage errors exit with 2.
  if (!parser.parse(QApplication::arguments())) return fail(parser.errorText());
  if (parser.isSet("help")) parser.showHelp(0);
  if (!parser.positionalArguments().isEmpty()) {
    return fail("unexpected argument \"" + parser.positionalArguments().first() +
                "\"; use --scenario FILE");
  }

  deploysim::gui::MainWindow window;
  const auto width_height = QRegularExpression("^(\\d{2,5})x(\\d{2,5})$").match(parser.value(size));
  if (!width_height.hasMatch()) return fail("--size must be WIDTHxHEIGHT, e.g. 1920x1080");
  window.resize(width_height.captured(1).toInt(), width_height.captured(2).toInt());
  if (parser.isSet(contrast)) window.set_high_contrast(true);
  const bool headless = parser.isSet(screenshot) || parser.isSet(bookmarks);
  if (parser.isSet(present)) {
    headless ? window.set_presentation_look(true) : window.set_presentation(true);
  }

  if (parser.isSet(parameters)) window.show_parameters(true);
  if (parser.isSet(scenario)) {
    if (!window.open_scenario(parser.value(scenario).toStdString())) {
      if (headless) {
        // The dialog cannot be read headless: say it on stderr too.
        for (auto* box : window.findChildren<QMessageBox*>()) return fail(box->text());
      }
    } else {
      if (parser.isSet(seed)) {
        bool ok = false;
        const auto value = parser.value(seed).toULongLong(&ok);
        if (!ok) return fail("--seed must be a non-negative integer");
        window.parameters().set_seed(value);
        window.reset();
      }
      if (parser.isSet(side) && !window.set_side_by_side(parser.value(side).toStdString()) &&
          headless) {
        for (auto* box : window.findChildren<QMessageBox*>()) return fail(box->text());
      }
      if (parser.isSet(until) && !window.run_until_text(parser.value(until))) {
        return fail("cannot read --until \"" + parser.value(until) + "\"");
      }
    }
  } else if (headless) {
    return fail(QString(parser.isSet(screenshot) ? "--screenshot" : "--screenshot-bookmarks") +
                " needs --scenario FILE");
  }
  if (parser.isSet(follow)) window.set_following(true);
  if (parser.isSet(bookmarks)) return write_bookmarks(window, parser.value(bookmarks));

  if (parser.isSet(screenshot)) {
    const QImage image = grab_settled(window);
    if (image.size() != window.size() || window.size() != QSize(width_height.captured(1).toInt(),
                                                                width_height.captured(2).toInt())) {
      std::cerr << "deploysim-gui: the window cannot be that small; the image is " << image.width()
                << "x" << image.height() << '\n';
    }
    if (!image.save(parser.value(screenshot), "PNG")) {
      return fail("could not write " + parser.value(screenshot));
    }
    return 0;
  }
  window.show();
  return QApplication::exec();
}
