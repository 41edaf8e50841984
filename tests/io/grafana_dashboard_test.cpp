// The Grafana dashboard: the scenario's calendar as its time range, the GUI's panels, and queries
// that name what the exports really write.

#include "io/grafana_dashboard.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "io/metrics_export.hpp"
#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::io {
namespace {

spec::Scenario load(const std::string& name) {
  return scenario::load_scenario(testing::bundled_scenario(name));
}

std::vector<std::string> titles(const nlohmann::ordered_json& dashboard) {
  std::vector<std::string> out;
  for (const auto& panel : dashboard["panels"]) out.push_back(panel["title"]);
  return out;
}

TEST(GrafanaDashboard, KnightSpansItsCalendarInUtcWithTheGuisPanels) {
  const auto scenario = load("knight_capital_2012.json");
  const auto dashboard = grafana_dashboard(scenario, 1, DataSource::influxdb);
  EXPECT_EQ(dashboard["time"]["from"], "2012-07-27T08:00:00.000Z");
  EXPECT_EQ(dashboard["time"]["to"], "2012-08-01T10:30:00.000Z");
  EXPECT_EQ(dashboard["timezone"], "utc");
  EXPECT_EQ(dashboard["templating"]["list"][0]["query"], "knight_capital_2012");
  EXPECT_EQ(dashboard["templating"]["list"][1]["query"], "1");
  EXPECT_EQ(titles(dashboard),
            (std::vector<std::string>{"Loss", "Error rate", "Hosts per version", "Alerts firing",
                                      "Misbehaving hosts", "Loss rate"}));
  EXPECT_LE(dashboard["uid"].get<std::string>().size(), 40u) << "Grafana's limit";
  for (const auto& panel : dashboard["panels"]) {
    EXPECT_EQ(panel["datasource"]["uid"], "deploysim-influxdb");
  }
}

TEST(GrafanaDashboard, LoadAndReplicasOnlyWithALoadModel) {
  const auto scenario = load("kubernetes_hpa_diurnal_rolling.json");
  ASSERT_TRUE(scenario.has_load_model());
  const auto names = titles(grafana_dashboard(scenario, 1, DataSource::prometheus));
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(names[6], "Load");
  EXPECT_EQ(names[7], "Replicas");
}

// Every metric a Prometheus query names is one the OpenMetrics export writes for the scenario,
// and every InfluxDB field one the line protocol export writes.
bool writes_field(const std::string& text, const std::string& measurement,
                  const std::string& field) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(measurement + ',', 0) != 0) continue;
    // The field set sits between the tag set and the timestamp.
    const auto first = line.find(' ');
    const std::string fields = ',' + line.substr(first + 1, line.rfind(' ') - first - 1);
    if (fields.find(',' + field + '=') != std::string::npos) return true;
  }
  return false;
}

TEST(GrafanaDashboard, QueriesNameWhatTheExportsWrite) {
  for (const char* name : {"knight_capital_2012.json", "kubernetes_hpa_diurnal_rolling.json"}) {
    const auto scenario = load(name);
    const auto result = simulation::run(scenario, 1);
    std::ostringstream om;
    std::ostringstream lp;
    write_openmetrics(om, scenario, result);
    write_line_protocol(lp, scenario, result);
    // Kept in a variable: a range-for over a member of a temporary reads freed memory.
    const auto prometheus = grafana_dashboard(scenario, 1, DataSource::prometheus);
    for (const auto& panel : prometheus["panels"]) {
      const std::string expr = panel["targets"][0]["expr"];
      const std::string metric = expr.substr(0, expr.find('{'));
      EXPECT_NE(om.str().find('\n' + metric + '{'), std::string::npos) << name << ": " << expr;
    }
    // SELECT last("FIELD") FROM "MEASUREMENT" ...; read by hand, as std::regex trips GCC 12's
    // -Wmaybe-uninitialized under the sanitizers.
    const auto quoted_after = [](const std::string& text, const std::string& marker) {
      const auto start = text.find(marker);
      if (start == std::string::npos) return std::string();
      const auto begin = start + marker.size();
      const auto end = text.find('"', begin);
      return end == std::string::npos ? std::string() : text.substr(begin, end - begin);
    };
    const auto influxdb = grafana_dashboard(scenario, 1, DataSource::influxdb);
    for (const auto& panel : influxdb["panels"]) {
      const std::string query = panel["targets"][0]["query"];
      const std::string field = quoted_after(query, "SELECT last(\"");
      const std::string measurement = quoted_after(query, "FROM \"");
      ASSERT_FALSE(field.empty() || measurement.empty()) << query;
      EXPECT_TRUE(writes_field(lp.str(), measurement, field)) << name << ": " << query;
    }
  }
}

}  // namespace
}  // namespace deploysim::io
