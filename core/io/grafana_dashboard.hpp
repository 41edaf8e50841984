#pragma once
// A Grafana dashboard for a scenario's exported runs (metrics_export.hpp): the GUI's panels
// (loss, error rate, hosts per version, alerts, and load and replicas with a load model) as
// dashboard JSON that Grafana's file provisioning loads, for an InfluxDB or a Prometheus data
// source.

#include <nlohmann/json.hpp>
#include <string_view>

#include "spec/scenario.hpp"

namespace deploysim::io {

enum class DataSource { influxdb, prometheus };

/// The data source's uid the dashboard refers to; the provisioning example in
/// docs/observability.md gives the data sources these uids.
std::string_view datasource_uid(DataSource source);

/// The dashboard: variables for the scenario and seed (so that runs can be chosen and overlaid),
/// the scenario's calendar as its time range, in UTC (the export writes local time as UTC), and
/// the story's events as annotations.
nlohmann::ordered_json grafana_dashboard(const spec::Scenario& scenario, std::uint64_t seed,
                                         DataSource source);

}  // namespace deploysim::io
