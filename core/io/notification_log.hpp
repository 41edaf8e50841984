#pragma once
// The alert notifications of a run as operators know them from Nagios and Icinga: each alert's
// state transitions (OK, WARNING, CRITICAL), when, why, and which of the scenario's people were
// notified. Written as a Nagios-style log, as JSON, and as one line per transition for an event
// log (the GUI's).

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/trace.hpp"
#include "spec/scenario.hpp"

namespace deploysim::io {

/// One state change of one alert.
struct Notification {
  engine::Time time;
  std::string alert;     ///< the alert rule's name
  std::string service;   ///< the deployed service (what Nagios calls the host), else "fleet"
  std::string state;     ///< "OK", "WARNING" or "CRITICAL"
  std::string previous;  ///< the state before
  std::string message;   ///< what the check saw, in the story's words
  /// The people paged, from the rule's `notify`; empty when nobody is (an ignored alert, or one
  /// that only a dashboard shows).
  std::vector<std::string> contacts;
};

/// The transitions of every alert in a run's story (alert_fired, alert_resolved), in time order.
std::vector<Notification> notifications(const spec::Scenario& scenario,
                                        const std::vector<engine::TraceRecord>& story);

/// "[1343813460] SERVICE ALERT: smars;unusual_trading;CRITICAL;HARD;1;<message>" per transition,
/// followed by a "SERVICE NOTIFICATION: <contact>;smars;unusual_trading;CRITICAL;notify;<message>"
/// line per contact. Timestamps are seconds on the scenario's calendar (see metrics_export.hpp).
void write_notification_log(std::ostream& out, const spec::Scenario& scenario,
                            const std::vector<Notification>& notifications);

/// {"notifications": [{"time_s", "timestamp", "clock", "alert", "service", "state", "previous",
/// "message", "contacts"}]}.
nlohmann::ordered_json notifications_to_json(const spec::Scenario& scenario,
                                             const std::vector<Notification>& notifications);

/// One line for an event log: "09:31:00  CRITICAL unusual_trading (was OK): <message>; notified
/// tech_team".
std::string notification_line(const spec::Scenario& scenario, const Notification& notification);

}  // namespace deploysim::io
