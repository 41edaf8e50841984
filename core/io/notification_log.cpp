#include "io/notification_log.hpp"

#include <map>
#include <ostream>

#include "io/metrics_export.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::io {

namespace {

const spec::AlertRule* find_rule(const spec::Scenario& scenario, const std::string& name) {
  for (const auto& rule : scenario.monitoring.alerts) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

// Who hears of an alert: the person the rule pages, if the scenario has that person. An ignored
// alert pages nobody, as in the run itself.
std::vector<std::string> contacts_of(const spec::Scenario& scenario, const spec::AlertRule* rule) {
  if (rule == nullptr || rule->ignored || rule->notify.empty()) return {};
  for (const auto& person : scenario.people) {
    if (person.name == rule->notify) return {person.name};
  }
  return {};
}

std::string level_of(const engine::TraceRecord& record) {
  for (const auto& f : record.fields) {
    if (f.key == "level" && std::holds_alternative<std::string>(f.value)) {
      return std::get<std::string>(f.value) == "warning" ? "WARNING" : "CRITICAL";
    }
  }
  return "CRITICAL";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

}  // namespace

std::vector<Notification> notifications(const spec::Scenario& scenario,
                                        const std::vector<engine::TraceRecord>& story) {
  const std::string service = scenario.deployment ? scenario.deployment->service : "fleet";
  std::map<std::string, std::string> state;  // every alert starts OK
  std::vector<Notification> out;
  for (const auto& record : story) {
    const bool fired = record.event == "alert_fired";
    if (!fired && record.event != "alert_resolved") continue;
    const std::string next = fired ? level_of(record) : "OK";
    auto& current = state.try_emplace(record.subject, "OK").first->second;
    if (current == next) continue;
    out.push_back({record.time, record.subject, service, next, current,
                   simulation::describe(record),
                   contacts_of(scenario, find_rule(scenario, record.subject))});
    current = next;
  }
  return out;
}

void write_notification_log(std::ostream& out, const spec::Scenario& scenario,
                            const std::vector<Notification>& notifications) {
  for (const auto& n : notifications) {
    const std::int64_t seconds = calendar_ms(scenario, n.time) / 1000;
    out << '[' << seconds << "] SERVICE ALERT: " << n.service << ';' << n.alert << ';' << n.state
        << ";HARD;1;" << n.message << '\n';
    for (const auto& contact : n.contacts) {
      // Nagios calls a return to OK a recovery; the state itself stays OK.
      out << '[' << seconds << "] SERVICE NOTIFICATION: " << contact << ';' << n.service << ';'
          << n.alert << ';' << (n.state == "OK" ? "RECOVERY" : n.state) << ";notify;" << n.message
          << '\n';
    }
  }
}

nlohmann::ordered_json notifications_to_json(const spec::Scenario& scenario,
                                             const std::vector<Notification>& notifications) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& n : notifications) {
    list.push_back({{"time_s", n.time.to_seconds()},
                    {"timestamp", calendar_ms(scenario, n.time) / 1000},
                    {"clock", simulation::clock_text(scenario, n.time, true)},
                    {"alert", n.alert},
                    {"service", n.service},
                    {"state", n.state},
                    {"previous", n.previous},
                    {"message", n.message},
                    {"contacts", n.contacts}});
  }
  return {{"notifications", std::move(list)}};
}

std::string notification_line(const spec::Scenario& scenario, const Notification& notification) {
  const auto& n = notification;
  return simulation::clock_text(scenario, n.time, false) + "  " + n.state + ' ' + n.alert +
         " (was " + n.previous + "): " + n.message + "; " +
         (n.contacts.empty() ? "nobody notified" : "notified " + joined(n.contacts));
}

}  // namespace deploysim::io
