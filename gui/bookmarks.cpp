#include "bookmarks.hpp"

#include <regex>
#include <sstream>

#include "scenario_document.hpp"

namespace deploysim::gui {

namespace {

// "- `@target` **Name.** rest"
const std::regex& bookmark_item() {
  static const std::regex pattern(R"(^\s*[-*]\s+`@([^`]+)`\s*\*\*([^*]+)\*\*)");
  return pattern;
}

bool is_heading(const std::string& line) {
  return line.rfind("#", 0) == 0;
}

}  // namespace

std::vector<Bookmark> parse_bookmarks(const std::string& notes) {
  std::vector<Bookmark> bookmarks;
  std::istringstream in(notes);
  std::string line;
  bool noticing = false;
  while (std::getline(in, line)) {
    if (is_heading(line)) {
      noticing = line.find("Things to notice") != std::string::npos;
      continue;
    }
    std::smatch match;
    if (!noticing || !std::regex_search(line, match, bookmark_item())) continue;
    std::string name = match[2].str();
    while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.pop_back();
    bookmarks.push_back({name, match[1].str()});
  }
  return bookmarks;
}

std::string notes_without_targets(const std::string& notes) {
  static const std::regex target(R"(`@[^`]+`\s*)");
  return std::regex_replace(notes, target, "");
}

std::optional<BookmarkStop> resolve_bookmark(const std::string& target,
                                             const spec::Scenario& scenario,
                                             const simulation::Moments& moments) {
  const auto hash = target.find('#');
  if (const auto kind = simulation::moment_kind_from_name(target.substr(0, hash))) {
    int wanted = 1;
    if (hash != std::string::npos) {
      try {
        std::size_t used = 0;
        wanted = std::stoi(target.substr(hash + 1), &used);
        if (used != target.size() - hash - 1 || wanted < 1) return std::nullopt;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    for (const auto& moment : moments.moments) {
      if (moment.kind == *kind && --wanted == 0) return BookmarkStop{moment.event, moment.time};
    }
    return std::nullopt;
  }
  if (const auto time = parse_time_text(scenario, target)) {
    return BookmarkStop{std::nullopt, std::min(*time, scenario.clock.end)};
  }
  return std::nullopt;
}

}  // namespace deploysim::gui
