#pragma once
// Bookmarks a scenario's classroom notes name, so that the notes' "Things to notice" become
// buttons. An item of that list is a bookmark when it begins with a target in backticks and a
// name in bold:
//
//   - `@rollback` **The rollback.** Watch the rollback at about 09:54: ...
//   - `@alert#2` **Second alert.** ...
//   - `@09:30` **Market open.** ...
//
// A target is a moment of the run (a kind of simulation::Moments, optionally "#n" for the n-th),
// or a time as typed in "Run until…" ("09:30", "+45min", "end").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simulation/moments.hpp"
#include "spec/scenario.hpp"

namespace deploysim::gui {

struct Bookmark {
  std::string name;    ///< "The rollback"
  std::string target;  ///< "rollback", "alert#2", "09:30"
};

/// The bookmarks of the "Things to notice" section of classroom notes, in order.
std::vector<Bookmark> parse_bookmarks(const std::string& notes);

/// The notes as a student reads them: the bookmark targets taken out.
std::string notes_without_targets(const std::string& notes);

/// Where a bookmark lands in one run: after an event count (a moment) or at a time.
struct BookmarkStop {
  std::optional<std::uint64_t> event;
  engine::Time time;
};

/// Resolves a target against a run's moments; nullopt when the run has no such moment or the
/// text is neither a moment nor a time.
std::optional<BookmarkStop> resolve_bookmark(const std::string& target,
                                             const spec::Scenario& scenario,
                                             const simulation::Moments& moments);

}  // namespace deploysim::gui
