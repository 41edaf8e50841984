#pragma once
// Plain-language lines for the story of a run, shared by the CLI, the GUI's event log and Python,
// so that every front end tells the same story in the same words.

#include <string>

#include "engine/trace.hpp"
#include "spec/scenario.hpp"

namespace deploysim::simulation {

/// One record in plain words, e.g. "flag power_peg on (timeline): 1 host misbehaving".
std::string describe(const engine::TraceRecord& record);

/// The time of `t` as a reader of the scenario expects it: "09:30:00", with the date in front
/// when `with_date` ("2012-08-01 09:30:00"); "+01:30:00" from the start without a wall clock.
std::string clock_text(const spec::Scenario& scenario, engine::Time t, bool with_date);

/// "$460.8M", "$12.5k", "$0".
std::string money(double usd);
/// "45 min", "1 h 5 min", "30 s".
std::string minutes_text(double seconds);

}  // namespace deploysim::simulation
