// Line protocol and OpenMetrics exports: calendar timestamps, labels, one point per sample, the
// story's events, and per-host series. The server round trips are in metrics_servers_test.

#include "io/metrics_export.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "scenario/load.hpp"
#include "scenarios.hpp"

namespace deploysim::io {
namespace {

using testing::bundled_scenario;

// 2012-08-01T09:30:00 and 10:15:00 as seconds since 1970 (the scenario's local time as UTC).
constexpr std::int64_t kKnightOpen = 1343813400;
constexpr std::int64_t kKnightHalt = 1343816100;

struct Run {
  spec::Scenario scenario;
  simulation::Result result;
  HostRecords hosts;
};

std::unique_ptr<Run> run_knight() {
  auto run = std::make_unique<Run>();
  run->scenario = scenario::load_scenario(bundled_scenario("knight_capital_2012.json"));
  run->result = simulation::run(run->scenario, 1, &run->hosts);
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Line protocol's timestamp: the text after the last space.
std::int64_t timestamp_ns(const std::string& line) {
  return std::stoll(line.substr(line.rfind(' ') + 1));
}

// A field's value in a line protocol point ("loss_usd=123" -> 123).
double field_value(const std::string& line, const std::string& key) {
  const auto at = line.find(' ' + key + '=') != std::string::npos ? line.find(' ' + key + '=')
                                                                  : line.find(',' + key + '=');
  if (at == std::string::npos) return -1.0;
  return std::stod(line.substr(at + key.size() + 2));
}

TEST(LineProtocol, OnePointPerSampleOnTheScenarioCalendarWithLabels) {
  const auto run = run_knight();
  std::ostringstream out;
  write_line_protocol(out, run->scenario, run->result);
  std::size_t samples = 0;
  double loss_at_halt = -1.0;
  for (const auto& line : lines_of(out.str())) {
    if (line.rfind("deploysim,", 0) != 0) continue;
    ++samples;
    EXPECT_EQ(line.rfind("deploysim,scenario=knight_capital_2012,seed=1,service=smars,group=all,"
                         "version=rlp ",
                         0),
              0u)
        << line;
    if (timestamp_ns(line) == kKnightHalt * 1'000'000'000) {
      loss_at_halt = field_value(line, "loss_usd");
    }
  }
  EXPECT_EQ(samples, run->result.timeseries.rows());
  // SMARS is halted at 10:15, so what the series shows then is the run's whole loss.
  EXPECT_DOUBLE_EQ(loss_at_halt, run->result.summary.loss_usd);
  EXPECT_GT(loss_at_halt, 4e8);
}

TEST(LineProtocol, HostsPerVersionAreTaggedWithTheirVersion) {
  const auto run = run_knight();
  std::ostringstream out;
  write_line_protocol(out, run->scenario, run->result);
  std::map<std::string, double> at_open;
  for (const auto& line : lines_of(out.str())) {
    if (line.rfind("deploysim_hosts,", 0) != 0) continue;
    if (timestamp_ns(line) == kKnightOpen * 1'000'000'000)
      at_open[line.substr(line.find("version=") + 8, line.find(' ') - line.find("version=") - 8)] =
          field_value(line, "hosts");
  }
  // One server missed: seven on the new code at the open, one on the old.
  EXPECT_EQ(at_open["rlp"], 7.0);
  EXPECT_EQ(at_open["legacy"], 1.0);
}

TEST(LineProtocol, EventsAreUniquePointsWithTheStorysWords) {
  const auto run = run_knight();
  std::ostringstream out;
  write_line_protocol(out, run->scenario, run->result);
  std::set<std::string> keys;
  std::size_t events = 0;
  bool alert = false;
  bool incident = false;
  for (const auto& line : lines_of(out.str())) {
    if (line.rfind("deploysim_event,", 0) != 0) continue;
    ++events;
    // A point is identified by its tags and time: none may overwrite another.
    const auto key = line.substr(0, line.find(' ')) + '@' + std::to_string(timestamp_ns(line));
    EXPECT_TRUE(keys.insert(key).second) << line;
    alert = alert || line.find("event=alert_fired,subject=unusual_trading") != std::string::npos;
    incident = incident || (line.find("event=incident_started") != std::string::npos &&
                            timestamp_ns(line) / 1'000'000 == kKnightOpen * 1000);
  }
  EXPECT_EQ(events, run->result.story.size() + 2);  // and the incident's start and end
  EXPECT_TRUE(alert);
  EXPECT_TRUE(incident);
}

TEST(LineProtocol, EscapesTagsAndLeavesOutNonFiniteValues) {
  auto scenario = testing::scenario_from_json(R"({
    "name": "a, b=c d", "clock": {"end": "2min"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}}})");
  scenario.file = "<memory>";
  simulation::Result result;
  result.summary.seed = 3;
  result.timeseries.columns = {"time_s", "latency_ms", "error_rate"};
  result.timeseries.values = {{0.0, 60.0}, {std::nan(""), 12.5}, {0.25, 0.5}};
  std::ostringstream out;
  write_line_protocol(out, scenario, result);
  EXPECT_EQ(out.str(),
            "deploysim,scenario=a\\,\\ b\\=c\\ d,seed=3,service=all,group=all,version=none "
            "error_rate=0.25 0\n"
            "deploysim,scenario=a\\,\\ b\\=c\\ d,seed=3,service=all,group=all,version=none "
            "latency_ms=12.5,error_rate=0.5 60000000000\n");
}

TEST(LineProtocol, PerHostSeriesNameEachHost) {
  const auto run = run_knight();
  std::ostringstream out;
  write_line_protocol(out, run->scenario, run->result, {&run->hosts.records()});
  std::set<std::string> hosts;
  bool skipped = false;
  for (const auto& line : lines_of(out.str())) {
    if (line.rfind("deploysim_host,", 0) != 0) continue;
    hosts.insert(
        line.substr(line.find("host=") + 5, line.find(",version") - line.find("host=") - 5));
    skipped = skipped ||
              line.find("host=smars-8,version=legacy event=\"host_skipped\"") != std::string::npos;
  }
  EXPECT_EQ(hosts.size(), 8u);
  EXPECT_TRUE(skipped) << "the missed server is a point of its own";
}

// OpenMetrics: the samples of each family, as (series, timestamp seconds, value).
struct Sample {
  std::string series;
  std::string time;
  std::string value;
};

std::map<std::string, std::vector<Sample>> families(const std::string& text, bool& eof_last) {
  std::map<std::string, std::vector<Sample>> out;
  std::string current;
  const auto lines = lines_of(text);
  for (const auto& line : lines) {
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(out.count(current), 0u) << current << " is written twice";
      out[current];
    } else if (line[0] != '#') {
      const auto value_at = line.rfind(' ', line.rfind(' ') - 1);
      const auto name = line.substr(0, line.find('{'));
      EXPECT_EQ(name.rfind(current, 0), 0u) << "outside its family: " << line;
      out[current].push_back({line.substr(0, value_at), line.substr(line.rfind(' ') + 1),
                              line.substr(value_at + 1, line.rfind(' ') - value_at - 1)});
    }
  }
  eof_last = !lines.empty() && lines.back() == "# EOF";
  return out;
}

TEST(OpenMetrics, FamiliesAreContiguousSeriesInTimeOrderAndTheTextEnds) {
  const auto run = run_knight();
  std::ostringstream out;
  write_openmetrics(out, run->scenario, run->result, {&run->hosts.records()});
  bool eof_last = false;
  const auto all = families(out.str(), eof_last);
  EXPECT_TRUE(eof_last);
  for (const char* family : {"deploysim_loss_usd", "deploysim_error_rate", "deploysim_hosts",
                             "deploysim_events", "deploysim_host_up"}) {
    EXPECT_EQ(all.count(family), 1u) << family;
  }
  EXPECT_EQ(all.at("deploysim_loss_usd").size(), run->result.timeseries.rows());
  for (const auto& [family, samples] : all) {
    std::map<std::string, double> last_time;
    for (const auto& s : samples) {
      const double t = std::stod(s.time);
      if (last_time.count(s.series)) {
        EXPECT_LT(last_time[s.series], t) << s.series;
      }
      last_time[s.series] = t;
    }
  }
  // The halt's sample carries the whole loss, with the labels of the run.
  bool found = false;
  for (const auto& s : all.at("deploysim_loss_usd")) {
    if (s.time != std::to_string(kKnightHalt) + ".000") continue;
    found = true;
    EXPECT_EQ(s.series,
              "deploysim_loss_usd{scenario=\"knight_capital_2012\",seed=\"1\",service=\"smars\","
              "group=\"all\",version=\"rlp\"}");
    EXPECT_DOUBLE_EQ(std::stod(s.value), run->result.summary.loss_usd);
  }
  EXPECT_TRUE(found);
}

TEST(OpenMetrics, EventCountersCountEachEventOnce) {
  const auto run = run_knight();
  std::ostringstream out;
  write_openmetrics(out, run->scenario, run->result);
  bool eof_last = false;
  const auto all = families(out.str(), eof_last);
  double total = 0;
  std::map<std::string, double> last;
  for (const auto& s : all.at("deploysim_events")) last[s.series] = std::stod(s.value);
  for (const auto& [series, count] : last) total += count;
  EXPECT_EQ(total, static_cast<double>(run->result.story.size() + 2));
  EXPECT_EQ(all.count("deploysim_host_up"), 0u) << "per-host series only on request";
}

TEST(Export, FleetHostsCountsEveryGroup) {
  const auto scenario = testing::scenario_from_json(R"({
    "name": "two groups", "clock": {"end": "2min"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"a": {"hosts": 3, "service": "web", "version": "v1"},
              "b": {"hosts": 4, "service": "web", "version": "v1"}}})");
  EXPECT_EQ(fleet_hosts(scenario), 7);
  EXPECT_EQ(calendar_ms(scenario, engine::Time::from_ms(1500)), 1500);
}

}  // namespace
}  // namespace deploysim::io
