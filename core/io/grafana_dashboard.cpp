#include "io/grafana_dashboard.hpp"

#include <string>

#include "io/metrics_export.hpp"

namespace deploysim::io {

namespace {

using Json = nlohmann::ordered_json;

struct Panel {
  const char* title;
  const char* measurement;  // InfluxDB measurement; Prometheus metrics are deploysim_<field>
  const char* field;
  const char* unit;
  bool by_version = false;  // one line per version (hosts per version)
};

// ISO 8601 of a simulated time on the scenario's calendar, written as UTC like the export.
std::string iso_time(const spec::Scenario& scenario, engine::Time t) {
  const engine::WallClock epoch("1970-01-01T00:00:00");
  std::string text = scenario.clock.wall ? scenario.clock.wall->date_time(t) : epoch.date_time(t);
  text[10] = 'T';
  return text + ".000Z";
}

Json datasource(DataSource source) {
  return {{"type", source == DataSource::influxdb ? "influxdb" : "prometheus"},
          {"uid", std::string(datasource_uid(source))}};
}

const char* kInfluxRun = "\"scenario\" =~ /^$scenario$/ AND \"seed\" =~ /^$seed$/";
const char* kPromRun = "scenario=~\"$scenario\",seed=~\"$seed\"";

Json target(const Panel& p, DataSource source) {
  if (source == DataSource::influxdb) {
    const std::string group = p.by_version ? "\"seed\", \"version\"" : "\"seed\"";
    return {
        {"refId", "A"},
        {"rawQuery", true},
        {"resultFormat", "time_series"},
        {"alias", p.by_version ? "$tag_version (seed $tag_seed)" : "seed $tag_seed"},
        {"query", std::string("SELECT last(\"") + p.field + "\") FROM \"" + p.measurement +
                      "\" WHERE " + kInfluxRun + " AND $timeFilter GROUP BY time($__interval), " +
                      group + " fill(previous)"}};
  }
  const std::string metric = std::string("deploysim_") + (p.by_version ? "hosts" : p.field);
  return {{"refId", "A"},
          {"expr", metric + '{' + kPromRun + '}'},
          {"legendFormat", p.by_version ? "{{version}} (seed {{seed}})" : "seed {{seed}}"}};
}

Json panel(const Panel& p, int id, DataSource source) {
  // Two panels a row, each half the 24-column grid.
  const int index = id - 1;
  return {{"id", id},
          {"type", "timeseries"},
          {"title", p.title},
          {"datasource", datasource(source)},
          {"gridPos", {{"h", 8}, {"w", 12}, {"x", (index % 2) * 12}, {"y", (index / 2) * 8}}},
          {"fieldConfig",
           {{"defaults", {{"unit", p.unit}, {"custom", {{"lineInterpolation", "stepAfter"}}}}},
            {"overrides", Json::array()}}},
          {"options", {{"legend", {{"displayMode", "list"}, {"placement", "bottom"}}}}},
          {"targets", Json::array({target(p, source)})}};
}

Json annotation(DataSource source) {
  Json a = {{"name", "deploysim events"},
            {"datasource", datasource(source)},
            {"enable", true},
            {"iconColor", "orange"}};
  if (source == DataSource::influxdb) {
    a["query"] = std::string("SELECT \"text\" FROM \"deploysim_event\" WHERE ") + kInfluxRun +
                 " AND $timeFilter";
    a["textColumn"] = "text";
    a["tagsColumn"] = "event";
  } else {
    // A counter that went up in the last step: one annotation per event.
    a["expr"] = std::string("changes(deploysim_events_total{") + kPromRun + "}[1m]) > 0";
    a["titleFormat"] = "{{event}} {{subject}}";
    a["step"] = "60s";
  }
  return a;
}

Json variable(const char* name, const std::string& value) {
  return {{"name", name},
          {"type", "custom"},
          {"query", value},
          {"current", {{"text", value}, {"value", value}}},
          {"options", Json::array({{{"text", value}, {"value", value}, {"selected", true}}})}};
}

}  // namespace

std::string_view datasource_uid(DataSource source) {
  return source == DataSource::influxdb ? "deploysim-influxdb" : "deploysim-prometheus";
}

Json grafana_dashboard(const spec::Scenario& scenario, std::uint64_t seed, DataSource source) {
  std::vector<Panel> panels = {{"Loss", "deploysim", "loss_usd", "currencyUSD"},
                               {"Error rate", "deploysim", "error_rate", "percentunit"},
                               {"Hosts per version", "deploysim_hosts", "hosts", "short", true},
                               {"Alerts firing", "deploysim", "alerts_firing", "short"},
                               {"Misbehaving hosts", "deploysim", "misbehaving_hosts", "short"},
                               {"Loss rate", "deploysim", "loss_rate_usd_per_min", "currencyUSD"}};
  if (scenario.has_load_model()) {
    panels.push_back({"Load", "deploysim", "load_rps", "reqps"});
    panels.push_back({"Replicas", "deploysim", "replicas", "short"});
  }
  Json list = Json::array();
  for (std::size_t i = 0; i < panels.size(); ++i) {
    list.push_back(panel(panels[i], static_cast<int>(i + 1), source));
  }
  const SeriesLabels labels = labels_of(scenario, seed);
  const bool influx = source == DataSource::influxdb;
  return {{"uid", "deploysim-" + labels.scenario.substr(0, 20) + (influx ? "-influx" : "-prom")},
          {"title", "deploysim: " + scenario.name + (influx ? " (InfluxDB)" : " (Prometheus)")},
          {"description", scenario.description},
          {"tags", Json::array({"deploysim"})},
          {"timezone", "utc"},
          {"editable", true},
          {"schemaVersion", 37},
          {"time",
           {{"from", iso_time(scenario, engine::Time::zero())},
            {"to", iso_time(scenario, scenario.clock.end)}}},
          {"templating",
           {{"list",
             Json::array({variable("scenario", labels.scenario), variable("seed", labels.seed)})}}},
          {"annotations", {{"list", Json::array({annotation(source)})}}},
          {"panels", std::move(list)}};
}

}  // namespace deploysim::io
