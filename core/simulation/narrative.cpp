#include "simulation/narrative.hpp"

#include <cmath>
#include <cstdio>
#include <variant>

namespace deploysim::simulation {

namespace {

const engine::TraceValue* field(const engine::TraceRecord& record, std::string_view key) {
  for (const auto& f : record.fields) {
    if (f.key == key) return &f.value;
  }
  return nullptr;
}

std::string text_of(const engine::TraceRecord& record, std::string_view key) {
  const auto* value = field(record, key);
  if (value == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(value)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(value)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(value)) return *b ? "true" : "false";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", std::get<double>(*value));
  return buffer;
}

std::string hosts(const std::string& count) {
  return count + (count == "1" ? " host" : " hosts");
}

std::string misbehaving(const engine::TraceRecord& record) {
  const auto count = text_of(record, "misbehaving_hosts");
  return count.empty() ? "" : ": " + hosts(count) + " misbehaving";
}

std::string by(const engine::TraceRecord& record) {
  const auto who = text_of(record, "by");
  return who.empty() ? "" : " by " + who;
}

// The story lines of a staged push (strategy/flag_push.hpp); empty for other events.
std::string describe_change(const engine::TraceRecord& r) {
  const std::string& e = r.event;
  const std::string flag_on = "flag on for " + hosts(text_of(r, "hosts_flag_on"));
  if (e == "change_stage") {
    return "change " + r.subject + ": stage " + text_of(r, "number") + " of " + text_of(r, "of") +
           " (" + text_of(r, "stage") + ", " + text_of(r, "percent") + "%), " + flag_on +
           misbehaving(r);
  }
  if (e == "change_completed") return "change " + r.subject + " completed, " + flag_on;
  if (e == "change_rolled_back") {
    return "change " + r.subject + " rolled back after stage " + text_of(r, "stages_done") + by(r) +
           " (" + text_of(r, "reason") + "), " + flag_on + misbehaving(r);
  }
  if (e == "change_stopped") {
    return "change " + r.subject + " stopped after stage " + text_of(r, "stages_done") + ": " +
           text_of(r, "reason");
  }
  if (e == "change_blocked") return "change " + r.subject + " NOT started: " + text_of(r, "reason");
  return {};
}

}  // namespace

std::string describe(const engine::TraceRecord& r) {
  const std::string& e = r.event;
  if (e.rfind("change_", 0) == 0) {
    if (auto line = describe_change(r); !line.empty()) return line;
  }
  if (e == "flag_set") {
    const bool on = text_of(r, "value") == "true";
    const auto percent = text_of(r, "percent");
    return "flag " + r.subject + (on ? " on" : " off") +
           (percent.empty() ? "" : " for " + percent + "% of hosts") + by(r) + misbehaving(r);
  }
  if (e == "flag_stage_skipped") {
    return "flag " + r.subject + " NOT turned on" + by(r) + ": " + text_of(r, "reason");
  }
  if (e == "flag_blocked") return "flag " + r.subject + " NOT turned on: " + text_of(r, "reason");
  if (e == "code_rolled_back") return "code rolled back" + by(r) + misbehaving(r);
  if (e == "halted" || e == "removed") {
    // A command by count or percentage names how many hosts it took.
    const auto taken = text_of(r, "hosts");
    std::string what = r.subject;
    if (!taken.empty()) {
      what = hosts(taken) + " of " + (r.subject.empty() ? std::string("every group") : r.subject);
    }
    return e + (what.empty() ? std::string() : " " + what) + by(r) + " (" + text_of(r, "reason") +
           ")" + misbehaving(r);
  }
  if (e == "command_refused") {
    return text_of(r, "command") + " of " + (r.subject.empty() ? "every group" : r.subject) +
           by(r) + " refused: " + text_of(r, "reason");
  }
  if (e == "resumed") return "resumed" + by(r);
  if (e == "scaled") {
    return r.subject + " scaled from " + text_of(r, "from") + " to " + text_of(r, "to") +
           " replica(s): " + text_of(r, "reason") +
           (text_of(r, "story_ends") == "true"
                ? " (later scaling: the trace, and the replicas column of the time series)"
                : "");
  }
  if (e == "alert_fired") {
    const bool ignored = text_of(r, "ignored") == "true";
    const auto metric = text_of(r, "metric");
    std::string value = text_of(r, "value");
    if (const auto* number = field(r, "value"); number && std::holds_alternative<double>(*number)) {
      const double x = std::get<double>(*number);
      char buffer[32];
      if (metric == "loss_rate_usd_per_min") {
        value = money(x) + "/min";
      } else if (metric == "error_rate") {
        std::snprintf(buffer, sizeof buffer, "%.2f%%", 100.0 * x);
        value = buffer;
      } else if (metric == "latency_ms") {
        std::snprintf(buffer, sizeof buffer, "%.0f ms", x);
        value = buffer;
      }
    }
    return "alert " + r.subject + " fired (" + metric + " = " + value + ")" +
           (ignored ? ", ignored" : "");
  }
  if (e == "alert_resolved") return "alert " + r.subject + " resolved";
  if (e == "signal") {
    return "first " + r.subject + " message" +
           (text_of(r, "treated_as_alert") == "true" ? " (treated as an alert)"
                                                     : " (not treated as an alert)");
  }
  if (e == "acknowledged") return r.subject + " acknowledged " + text_of(r, "alert");
  if (e == "paged") return r.subject + " paged" + by(r);
  if (e == "host_updated") return r.subject + " updated to " + text_of(r, "version") + by(r);
  if (e == "host_skipped") {
    return r.subject + " skipped" + by(r) + ": still on " + text_of(r, "version");
  }
  if (e == "host_misconfigured") return r.subject + " misconfigured" + by(r) + ": fails to start";
  // Strategy notes carry their words in "detail": "rollout stalled: checkout-15 crashed ...".
  if (field(r, "detail") != nullptr) {
    std::string words = e;
    for (auto& c : words) c = c == '_' ? ' ' : c;
    const auto detail = text_of(r, "detail");
    return words + (detail.empty() ? "" : ": " + detail);
  }
  std::string line = e + (r.subject.empty() ? "" : " " + r.subject);
  for (const auto& f : r.fields) line += " " + f.key + "=" + text_of(r, f.key);
  return line;
}

std::string clock_text(const spec::Scenario& scenario, engine::Time t, bool with_date) {
  if (scenario.clock.wall) {
    return with_date ? scenario.clock.wall->date_time(t) : scenario.clock.wall->time_of_day(t);
  }
  const std::int64_t total = t.ms() / 1000;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "+%02lld:%02lld:%02lld",
                static_cast<long long>(total / 3600), static_cast<long long>(total / 60 % 60),
                static_cast<long long>(total % 60));
  return buffer;
}

std::string money(double usd) {
  if (usd < 0.0) return "-" + money(-usd);
  char buffer[32];
  const double magnitude = std::fabs(usd);
  if (magnitude >= 1e9) {
    std::snprintf(buffer, sizeof buffer, "$%.2fB", usd / 1e9);
  } else if (magnitude >= 1e6) {
    std::snprintf(buffer, sizeof buffer, "$%.1fM", usd / 1e6);
  } else if (magnitude >= 1e3) {
    std::snprintf(buffer, sizeof buffer, "$%.1fk", usd / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "$%.0f", usd);
  }
  return buffer;
}

std::string minutes_text(double seconds) {
  if (seconds < 0.0) return "-" + minutes_text(-seconds);
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total < 60) return std::to_string(total) + " s";
  const long long minutes = total / 60;
  const long long rest = total % 60;
  std::string text;
  if (minutes >= 60) {
    text = std::to_string(minutes / 60) + " h";
    if (minutes % 60) text += " " + std::to_string(minutes % 60) + " min";
  } else {
    text = std::to_string(minutes) + " min";
  }
  if (rest && minutes < 60) text += " " + std::to_string(rest) + " s";
  return text;
}

}  // namespace deploysim::simulation
