#include "verify/report.hpp"

#include <sstream>

#include "input/utf8.hpp"

namespace deploysim::verify {

std::string_view Report::verdict_name() const {
  switch (verdict) {
    case Verdict::verified:
      return "verified";
    case Verdict::violated:
      return "violated";
    case Verdict::incomplete:
      return "incomplete";
  }
  return "incomplete";
}

namespace {
nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::int64_t total(const Report& report, std::int64_t LevelStats::*field) {
  std::int64_t sum = 0;
  for (const auto& level : report.levels) sum += level.*field;
  return sum;
}

std::string fault_text(const model::Fault& fault) {
  return std::string(model::fault_kind_name(fault.kind)) + " " + fault.target;
}

std::string plural(std::int64_t n, const std::string& word) {
  const bool sibilant = !word.empty() && word.back() == 's';
  return std::to_string(n) + " " + word + (n == 1 ? "" : sibilant ? "es" : "s");
}
}  // namespace

nlohmann::ordered_json Report::to_json() const {
  nlohmann::ordered_json j;
  j["verdict"] = verdict_name();
  j["scenario"] = scenario;
  j["properties"] = properties;
  j["max_faults"] = max_faults;
  j["seed"] = seed;
  j["symmetry_reduction"] = symmetry;
  j["decision_points"] = decision_points;
  j["point_classes"] = point_classes;
  j["schedules_explored"] = total(*this, &LevelStats::classes);
  j["schedules_represented"] = total(*this, &LevelStats::schedules);
  j["runs"] = total(*this, &LevelStats::runs);
  j["pruned"] = total(*this, &LevelStats::pruned);
  auto& levels_json = j["levels"] = nlohmann::ordered_json::array();
  for (const auto& level : levels) {
    levels_json.push_back({{"faults", level.faults},
                           {"schedules_explored", level.classes},
                           {"schedules_represented", level.schedules},
                           {"runs", level.runs},
                           {"pruned", level.pruned},
                           {"violations", level.violations},
                           {"complete", level.complete}});
  }
  j["violation_probability"] = optional_number(violation_probability);
  j["unexplored_probability"] = optional_number(unexplored_probability);
  if (counterexample) {
    const auto& c = *counterexample;
    j["counterexample"] = {{"faults", c.schedule.to_json()["faults"]},
                           {"violated", c.violated},
                           {"stands_for", c.stands_for},
                           {"schedule", c.schedule.to_json()},
                           {"summary", c.result.summary.to_json()},
                           {"story", c.story}};
  } else {
    j["counterexample"] = nullptr;
  }
  return j;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "sarif") return Format::sarif;
  if (name == "junit") return Format::junit;
  return std::nullopt;
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names{"text", "json", "sarif", "junit"};
  return names;
}

namespace {

void write_text(std::ostream& out, const Report& r, const std::string& file) {
  out << file << ": " << r.verdict_name() << " (" << r.scenario << ")\n";
  out << "properties: ";
  for (std::size_t i = 0; i < r.properties.size(); ++i) {
    out << (i ? "; " : "") << r.properties[i];
  }
  out << "\nat most " << plural(r.max_faults, "fault") << ", seed " << r.seed << "; "
      << plural(r.decision_points, "decision point") << " in " << plural(r.point_classes, "class")
      << (r.symmetry ? "" : " (symmetry reduction off)") << "\n";
  for (const auto& level : r.levels) {
    out << "  " << plural(level.faults, "fault") << ": " << plural(level.classes, "schedule")
        << " explored, standing for " << level.schedules << "; " << plural(level.runs, "run")
        << ", " << level.pruned << " pruned, " << plural(level.violations, "violation")
        << (level.complete ? "" : " (interrupted)") << "\n";
  }
  if (r.violation_probability) {
    out << "probability of a violation (explored schedules): " << *r.violation_probability
        << "; left unexplored: " << *r.unexplored_probability << "\n";
  }
  if (!r.counterexample) return;
  const auto& c = *r.counterexample;
  out << "counterexample (" << plural(static_cast<std::int64_t>(c.schedule.faults.size()), "fault")
      << ", one of " << plural(c.stands_for, "schedule") << " alike):\n";
  for (const auto& fault : c.schedule.faults) out << "  " << fault_text(fault) << "\n";
  out << "breaks: ";
  for (std::size_t i = 0; i < c.violated.size(); ++i) out << (i ? "; " : "") << c.violated[i];
  out << "\nwhat happens:\n";
  for (const auto& line : c.story) out << "  " << line << "\n";
}

void write_sarif(std::ostream& out, const Report& r, const std::string& file) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  if (r.counterexample) {
    std::string faults;
    for (const auto& fault : r.counterexample->schedule.faults) {
      faults += (faults.empty() ? "" : ", ") + fault_text(fault);
    }
    for (const auto& property : r.counterexample->violated) {
      results.push_back({{"ruleId", "verify/" + property},
                         {"level", "error"},
                         {"message",
                          {{"text", "property \"" + property + "\" is violated under " +
                                        (faults.empty() ? std::string("no fault") : faults)}}},
                         {"locations",
                          {{{"physicalLocation",
                             {{"artifactLocation", {{"uri", input::to_valid_utf8(file)}}}}}}}}});
    }
  }
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& property : r.properties) {
    rules.push_back({{"id", "verify/" + property},
                     {"shortDescription", {{"text", "rollout property " + property}}}});
  }
  const nlohmann::ordered_json sarif{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver",
            {{"name", "deploysim verify"}, {"version", DEPLOYSIM_VERSION}, {"rules", rules}}}}},
         {"results", results},
         {"properties", r.to_json()}}}}};
  out << sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void write_junit(std::ostream& out, const Report& r, const std::string& file) {
  const auto violated = [&](const std::string& property) {
    return r.counterexample &&
           std::find(r.counterexample->violated.begin(), r.counterexample->violated.end(),
                     property) != r.counterexample->violated.end();
  };
  std::int64_t failures = 0;
  for (const auto& p : r.properties) failures += violated(p) ? 1 : 0;
  const bool incomplete = r.verdict == Report::Verdict::incomplete;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"deploysim verify\">\n  <testsuite name=\"" << input::xml_escape(file)
      << "\" tests=\"" << r.properties.size() << "\" failures=\"" << failures << "\" errors=\""
      << (incomplete ? r.properties.size() : 0) << "\">\n";
  for (const auto& property : r.properties) {
    out << "    <testcase classname=\"" << input::xml_escape(r.scenario) << "\" name=\""
        << input::xml_escape(property) << "\">\n";
    if (violated(property)) {
      std::ostringstream story;
      write_text(story, r, file);
      out << "      <failure message=\"violated with "
          << plural(static_cast<std::int64_t>(r.counterexample->schedule.faults.size()), "fault")
          << "\">" << input::xml_escape(story.str()) << "</failure>\n";
    } else if (incomplete) {
      out << "      <error message=\"search interrupted before every schedule was explored\"/>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace

void write_report(std::ostream& out, Format format, const Report& report,
                  const std::string& scenario_file) {
  switch (format) {
    case Format::text:
      write_text(out, report, scenario_file);
      return;
    case Format::json:
      out << report.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      return;
    case Format::sarif:
      write_sarif(out, report, scenario_file);
      return;
    case Format::junit:
      write_junit(out, report, scenario_file);
      return;
  }
}

}  // namespace deploysim::verify
