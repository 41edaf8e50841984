#include "io/metrics_export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <ostream>
#include <string_view>

#include "simulation/narrative.hpp"

namespace deploysim::io {

namespace {

constexpr std::string_view kHostsPrefix = "hosts_";

// The shortest text that reads back as the same double; OpenMetrics spells the others NaN, +Inf.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return {buffer, static_cast<std::size_t>(end - buffer)};
}

// Line protocol escapes commas, equals signs and spaces in tag keys and values.
std::string tag_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ',' || c == '=' || c == ' ') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out.empty() ? "none" : out;
}

// String field values are quoted; quotes and backslashes inside are escaped.
std::string field_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + '"';
}

// OpenMetrics label values escape backslash, quote and newline.
std::string label_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// ",scenario=...,seed=...,service=...,group=..." and, unless left out, ",version=...".
std::string influx_tags(const SeriesLabels& l, bool with_version) {
  std::string tags = ",scenario=" + tag_escaped(l.scenario) + ",seed=" + tag_escaped(l.seed) +
                     ",service=" + tag_escaped(l.service) + ",group=" + tag_escaped(l.group);
  if (with_version) tags += ",version=" + tag_escaped(l.version);
  return tags;
}

std::string prom_labels(const SeriesLabels& l, bool with_version) {
  std::string labels = "scenario=\"" + label_escaped(l.scenario) + "\",seed=\"" +
                       label_escaped(l.seed) + "\",service=\"" + label_escaped(l.service) +
                       "\",group=\"" + label_escaped(l.group) + '"';
  if (with_version) labels += ",version=\"" + label_escaped(l.version) + '"';
  return labels;
}

// Seconds with millisecond decimals, as OpenMetrics wants them.
std::string prom_time(std::int64_t ms) {
  const auto seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const auto millis = ms - seconds * 1000;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld", static_cast<long long>(seconds),
                static_cast<long long>(millis));
  return buffer;
}

// The version a "hosts_<version>" column counts (one per version of the deployed service), or
// empty for any other column. "hosts_on_target" is not one, unless a version has that name.
std::string version_of_column(const spec::Scenario& scenario, const std::string& column) {
  if (!scenario.deployment || column.rfind(kHostsPrefix, 0) != 0) return {};
  const std::string name = column.substr(kHostsPrefix.size());
  for (const auto& service : scenario.services) {
    if (service.name != scenario.deployment->service) continue;
    for (const auto& version : service.versions) {
      if (version.name == name) return name;
    }
  }
  return {};
}

engine::Time row_time(const model::TimeSeries& series, std::size_t row) {
  return engine::Time::from_ms(std::llround(series.values[0][row] * 1000.0));
}

// The incident's start and end (from the summary) as records, for the exports' events.
std::vector<engine::TraceRecord> incident_events(const simulation::Summary& s) {
  const auto at = [](double seconds) { return engine::Time::from_ms(std::llround(seconds * 1e3)); };
  std::vector<engine::TraceRecord> events;
  if (s.incident_start_s) {
    events.push_back({at(*s.incident_start_s), "incident_started", "", {}});
    if (s.incident_duration_s) {
      events.push_back(
          {at(*s.incident_start_s + *s.incident_duration_s), "incident_ended", "", {}});
    }
  }
  return events;
}

// The story's events with the incident's start and end, in time order.
std::vector<engine::TraceRecord> events_of(const simulation::Result& result) {
  std::vector<engine::TraceRecord> events = result.story;
  for (auto& record : incident_events(result.summary)) events.push_back(std::move(record));
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  return events;
}

std::string event_text(const engine::TraceRecord& record) {
  if (record.event == "incident_started") return "incident started";
  if (record.event == "incident_ended") return "incident ended";
  return simulation::describe(record);
}

// The version a per-host record leaves the host on, and whether the host serves afterwards.
std::pair<std::string, bool> host_state(const engine::TraceRecord& record) {
  std::string version;
  for (const auto& f : record.fields) {
    if (f.key == "version" && std::holds_alternative<std::string>(f.value)) {
      version = std::get<std::string>(f.value);
    }
  }
  const bool ok = record.event != "host_misconfigured" && record.event != "host_update_failed";
  return {version.empty() ? "unknown" : version, ok};
}

void write_hosts_influx(std::ostream& out, const SeriesLabels& labels,
                        const spec::Scenario& scenario,
                        const std::vector<engine::TraceRecord>& records) {
  const std::string tags = influx_tags(labels, false);
  // One nanosecond apart per host and millisecond, as for events.
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> seen;
  for (const auto& record : records) {
    const std::int64_t ms = calendar_ms(scenario, record.time);
    const auto [version, ok] = host_state(record);
    const std::int64_t offset = seen[{record.subject, ms}]++;
    out << "deploysim_host" << tags << ",host=" << tag_escaped(record.subject)
        << ",version=" << tag_escaped(version) << " event=" << field_string(record.event)
        << ",ok=" << (ok ? "1" : "0") << ' ' << ms * 1'000'000 + offset << '\n';
  }
}

}  // namespace

SeriesLabels labels_of(const spec::Scenario& scenario, std::uint64_t seed) {
  SeriesLabels labels;
  const auto stem = std::filesystem::path(scenario.file).stem().string();
  labels.scenario = scenario.file.empty() || scenario.file == "<memory>" ? scenario.name : stem;
  labels.seed = std::to_string(seed);
  labels.service = "all";
  labels.group = "all";
  labels.version = "none";
  if (const auto& d = scenario.deployment) {
    labels.service = d->service;
    labels.version = d->to;
    if (!d->groups.empty()) {
      labels.group.clear();
      for (const auto& g : d->groups) labels.group += (labels.group.empty() ? "" : "+") + g;
    }
  }
  return labels;
}

std::int64_t calendar_ms(const spec::Scenario& scenario, engine::Time t) {
  const std::int64_t origin = scenario.clock.wall ? scenario.clock.wall->origin_epoch_ms() : 0;
  return origin + t.ms();
}

std::int64_t fleet_hosts(const spec::Scenario& scenario) {
  std::int64_t hosts = 0;
  for (const auto& group : scenario.groups) hosts += group.hosts;
  return hosts;
}

void HostRecords::write(const engine::TraceRecord& record) {
  if (record.event.rfind("host_", 0) == 0 && !record.subject.empty()) records_.push_back(record);
}

void write_line_protocol_rows(std::ostream& out, const SeriesLabels& labels,
                              const spec::Scenario& scenario, const model::TimeSeries& series,
                              std::size_t first, std::size_t last) {
  const std::string tags = influx_tags(labels, true);
  const std::string host_tags = influx_tags(labels, false);
  std::vector<std::string> versions;
  for (const auto& column : series.columns) versions.push_back(version_of_column(scenario, column));
  for (std::size_t row = first; row < last; ++row) {
    const std::int64_t ns = calendar_ms(scenario, row_time(series, row)) * 1'000'000;
    std::string fields;
    for (std::size_t c = 0; c < series.columns.size(); ++c) {
      const double value = series.values[c][row];
      const auto& column = series.columns[c];
      // InfluxDB has no NaN; a missing field is how it says "no value".
      if (!std::isfinite(value)) continue;
      if (c == 0) continue;  // time_s is the timestamp
      if (!versions[c].empty()) {
        out << "deploysim_hosts" << host_tags << ",version=" << tag_escaped(versions[c])
            << " hosts=" << number(value) << ' ' << ns << '\n';
      } else {
        fields += (fields.empty() ? "" : ",") + column + '=' + number(value);
      }
    }
    if (!fields.empty()) out << "deploysim" << tags << ' ' << fields << ' ' << ns << '\n';
  }
}

void write_event_points(std::ostream& out, const SeriesLabels& labels,
                        const spec::Scenario& scenario,
                        const std::vector<engine::TraceRecord>& records) {
  const std::string tags = influx_tags(labels, true);
  std::int64_t last_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t same_ms = 0;
  for (const auto& record : records) {
    const std::int64_t ms = calendar_ms(scenario, record.time);
    same_ms = ms == last_ms ? same_ms + 1 : 0;
    last_ms = ms;
    out << "deploysim_event" << tags << ",event=" << tag_escaped(record.event)
        << ",subject=" << tag_escaped(record.subject)
        << " text=" << field_string(event_text(record)) << ' ' << ms * 1'000'000 + same_ms << '\n';
  }
}

void write_line_protocol(std::ostream& out, const spec::Scenario& scenario,
                         const simulation::Result& result, const ExportContent& content) {
  const SeriesLabels labels = labels_of(scenario, result.summary.seed);
  write_line_protocol_rows(out, labels, scenario, result.timeseries, 0, result.timeseries.rows());
  write_event_points(out, labels, scenario, events_of(result));
  if (content.host_records) write_hosts_influx(out, labels, scenario, *content.host_records);
}

void write_line_protocol_end(std::ostream& out, const spec::Scenario& scenario,
                             const simulation::Result& result, const ExportContent& content) {
  const SeriesLabels labels = labels_of(scenario, result.summary.seed);
  write_event_points(out, labels, scenario, incident_events(result.summary));
  if (content.host_records) write_hosts_influx(out, labels, scenario, *content.host_records);
}

namespace {

void write_gauge_family(std::ostream& out, const std::string& name, const std::string& help) {
  out << "# TYPE " << name << " gauge\n# HELP " << name << ' ' << help << '\n';
}

void write_column_families(std::ostream& out, const SeriesLabels& labels,
                           const spec::Scenario& scenario, const model::TimeSeries& series) {
  const std::string plain = prom_labels(labels, true);
  const std::string without_version = prom_labels(labels, false);
  bool hosts_family_written = false;
  for (std::size_t c = 1; c < series.columns.size(); ++c) {
    const auto& column = series.columns[c];
    const bool hosts = !version_of_column(scenario, column).empty();
    // All hosts_<version> columns are one family, so they are written together.
    if (hosts && hosts_family_written) continue;
    const std::string name = "deploysim_" + (hosts ? std::string("hosts") : column);
    write_gauge_family(out, name,
                       hosts ? "Hosts running each version" : "The run's " + column + " column");
    for (std::size_t k = c; k < series.columns.size(); ++k) {
      const auto version = version_of_column(scenario, series.columns[k]);
      if (hosts ? version.empty() : k != c) continue;
      const std::string label_set =
          hosts ? without_version + ",version=\"" + label_escaped(version) + '"' : plain;
      for (std::size_t row = 0; row < series.rows(); ++row) {
        out << name << '{' << label_set << "} " << number(series.values[k][row]) << ' '
            << prom_time(calendar_ms(scenario, row_time(series, row))) << '\n';
      }
    }
    hosts_family_written = hosts_family_written || hosts;
  }
}

void write_event_family(std::ostream& out, const SeriesLabels& labels,
                        const spec::Scenario& scenario, const simulation::Result& result) {
  out << "# TYPE deploysim_events counter\n"
         "# HELP deploysim_events Events of the run's story (alerts, flags, actions, incident)\n";
  // A counter per (event, subject); events at the same millisecond are one sample.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::int64_t, int>>> counts;
  for (const auto& record : events_of(result)) {
    auto& samples = counts[{record.event, record.subject}];
    const std::int64_t ms = calendar_ms(scenario, record.time);
    const int total = samples.empty() ? 1 : samples.back().second + 1;
    if (!samples.empty() && samples.back().first == ms) {
      samples.back().second = total;
    } else {
      samples.emplace_back(ms, total);
    }
  }
  const std::string base = prom_labels(labels, true);
  for (const auto& [key, samples] : counts) {
    for (const auto& [ms, total] : samples) {
      out << "deploysim_events_total{" << base << ",event=\"" << label_escaped(key.first)
          << "\",subject=\"" << label_escaped(key.second) << "\"} " << total << ' ' << prom_time(ms)
          << '\n';
    }
  }
}

void write_host_family(std::ostream& out, const SeriesLabels& labels,
                       const spec::Scenario& scenario,
                       const std::vector<engine::TraceRecord>& records) {
  write_gauge_family(out, "deploysim_host_up",
                     "1 while a host serves after its last update, 0 if it failed to start");
  // Grouped by host so each series' samples are in time order and one per millisecond.
  std::map<std::string, std::map<std::int64_t, std::pair<std::string, bool>>> hosts;
  for (const auto& record : records) {
    hosts[record.subject][calendar_ms(scenario, record.time)] = host_state(record);
  }
  const std::string base = prom_labels(labels, false);
  for (const auto& [host, states] : hosts) {
    for (const auto& [ms, state] : states) {
      out << "deploysim_host_up{" << base << ",host=\"" << label_escaped(host) << "\",version=\""
          << label_escaped(state.first) << "\"} " << (state.second ? 1 : 0) << ' ' << prom_time(ms)
          << '\n';
    }
  }
}

}  // namespace

void write_openmetrics(std::ostream& out, const spec::Scenario& scenario,
                       const simulation::Result& result, const ExportContent& content) {
  const SeriesLabels labels = labels_of(scenario, result.summary.seed);
  write_column_families(out, labels, scenario, result.timeseries);
  write_event_family(out, labels, scenario, result);
  if (content.host_records) write_host_family(out, labels, scenario, *content.host_records);
  out << "# EOF\n";
}

}  // namespace deploysim::io
