#include "scenario_document.hpp"

#include <QCoreApplication>
#include <algorithm>
#include <cstdlib>

#include "input/file.hpp"
#include "input/input_error.hpp"
#include "scenario/load.hpp"

namespace deploysim::gui {

namespace fs = std::filesystem;

LoadedScenario load_scenario_file(const fs::path& path) {
  auto scenario = std::make_shared<spec::Scenario>(scenario::load_scenario(path));
  LoadedScenario loaded;
  loaded.path = path;
  loaded.document = scenario->source;
  loaded.scenario = std::move(scenario);
  return loaded;
}

std::shared_ptr<const spec::Scenario> parse_document(const nlohmann::json& document,
                                                     const std::string& file) {
  return std::make_shared<spec::Scenario>(scenario::parse_scenario(document, file));
}

fs::path scenario_directory() {
  if (const char* dir = std::getenv("DEPLOYSIM_SCENARIOS"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  std::error_code ignored;
  if (QCoreApplication::instance() != nullptr) {
    const fs::path installed = fs::path(QCoreApplication::applicationDirPath().toStdString()) /
                               "../share/deploysim/scenarios";
    if (fs::is_directory(installed, ignored)) return installed;
  }
  return DEPLOYSIM_SCENARIO_DIR;
}

std::vector<fs::path> bundled_scenarios() {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(scenario_directory(), error)) {
    const auto& path = entry.path();
    if (path.extension() == ".json" && path.filename() != "schema.json") files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// Notes are optional: one that cannot be read (or is absurdly large) leaves the panel without
// notes; the scenario's own loading reports any problem with the scenario file.
std::string read_text(const fs::path& path) {
  try {
    return input::read_text_file(path.string());
  } catch (const input::InputError&) {
    return {};
  }
}

fs::path notes_path(const fs::path& scenario_path) {
  return scenario_path.parent_path() / (scenario_path.stem().string() + ".info.md");
}

}  // namespace

std::string classroom_notes(const fs::path& path) {
  std::error_code error;
  if (fs::exists(notes_path(path), error)) return read_text(notes_path(path));
  // A variant shares its base's notes.
  try {
    const auto document = nlohmann::json::parse(read_text(path));
    if (document.contains("extends") && document["extends"].is_string()) {
      const fs::path base = path.parent_path() / document["extends"].get<std::string>();
      if (fs::exists(notes_path(base), error)) return read_text(notes_path(base));
    }
  } catch (const std::exception&) {
    // Unreadable files have no notes; loading reports what is wrong with them.
  }
  return {};
}

std::optional<engine::Time> parse_time_text(const spec::Scenario& scenario,
                                            const std::string& raw) {
  std::string text = raw;
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' '; }), text.end());
  if (text.empty()) return std::nullopt;
  if (text == "end") return scenario.clock.end;
  try {
    if (text.front() == '+') return engine::Time::zero() + engine::parse_duration(text.substr(1));
    if (const auto ms_of_day = engine::parse_time_of_day_ms(text)) {
      if (!scenario.clock.wall) return engine::Time::from_ms(*ms_of_day);
      const std::int64_t origin = scenario.clock.wall->origin_epoch_ms();
      constexpr std::int64_t day = 86'400'000;
      const std::int64_t end_day = (origin + scenario.clock.end.ms()) / day * day;
      // The last day on which that time still falls inside the run: a run ending at midnight
      // means the time on its final full day, not on the day it ends.
      std::int64_t at = end_day + *ms_of_day - origin;
      if (at > scenario.clock.end.ms()) at -= day;
      if (at < 0) at = origin / day * day + *ms_of_day - origin;
      return engine::Time::from_ms(at);
    }
    if (scenario.clock.wall) return scenario.clock.wall->at(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::nullopt;
}

std::string error_text(const std::exception& error) {
  if (const auto* input = dynamic_cast<const input::InputError*>(&error)) {
    std::string text;
    for (const auto& problem : input->problems()) text += problem.message() + "\n";
    return text;
  }
  return error.what();
}

}  // namespace deploysim::gui
