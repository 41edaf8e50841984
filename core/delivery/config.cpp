#include "delivery/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>

#include "delivery/limits.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "scenario/load.hpp"

namespace deploysim::delivery {

namespace {

// A mean trip can be far beyond what a Duration holds (a lognormal of large sigma has an
// astronomical mean), and the message must still say it.
std::string trip_text(double trip_ms) {
  constexpr double kLongestDurationMs = 1e15;  // about 31,000 years
  if (trip_ms < kLongestDurationMs) {
    return engine::format_duration(engine::Duration::seconds(std::llround(trip_ms / 1000.0)));
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.3g days", trip_ms / 86'400'000.0);
  return text;
}

using engine::Distribution;
using input::InputError;
using input::InputProblem;
using input::ObjectReader;
using input::ValueReader;
using nlohmann::json;

constexpr auto kDuration = Distribution::Unit::duration;
constexpr auto kNumber = Distribution::Unit::number;

const std::vector<std::string> kCadences = {"continuous", "train", "gated"};
const std::vector<std::string> kModes = {"converge", "immutable"};
const std::vector<std::string> kSchedules = {"periodic", "exponential"};
const std::vector<std::string> kTestings = {"plain", "synthetic", "replay", "staging"};

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// A rate or count that must be above zero and at most `max`; `what` completes "expected ...".
double positive_number(ObjectReader& object, std::string_view key, double fallback,
                       const std::string& what, double max = kUnbounded) {
  const auto value = object.optional(key);
  if (!value) return fallback;
  const double x = value->as_number();
  if (!(x > 0.0 && x <= max)) {
    value->fail(what + (max < kUnbounded ? " above 0 and at most " + short_number(max) : " > 0"));
  }
  return x;
}

// Documentation keys any delivery file may carry; the models do not read them.
void skip_metadata(ObjectReader& object) {
  if (auto name = object.optional("name")) name->as_string();
  if (auto description = object.optional("description")) description->as_string();
  for (const auto& source : object.optional_array("sources")) source.as_string();
}

// A core validate() that still objects after the pointer-level checks: report it for the file,
// pointing at the first factor of a work limit that the document sets.
template <class Config>
void validate_for_file(const Config& config, const json& document, const std::string& file) {
  try {
    validate(config);
  } catch (const WorkLimitError& error) {
    std::string pointer;
    for (const auto& factor : error.factors()) {
      if (document.is_object() && document.contains(factor.key)) {
        pointer = input::child_pointer("", factor.key);
        break;
      }
    }
    throw InputError(InputProblem{.file = file, .pointer = pointer, .detail = error.what()});
  } catch (const std::invalid_argument& error) {
    throw InputError(InputProblem{.file = file, .detail = error.what()});
  }
}

json null_if_nan(double x) {
  return std::isnan(x) ? json(nullptr) : json(x);
}

std::string share_text(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", share);
  return buffer;
}

std::string text(engine::Duration d) {
  return engine::format_duration(d);
}

std::vector<std::string> strings(ObjectReader& object, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& element : object.optional_array(key)) out.push_back(element.as_string());
  return out;
}

ProductionStage read_production(ObjectReader& p, const std::string& file,
                                const std::filesystem::path& base_dir) {
  ProductionStage stage;
  stage.scenario = p.string("scenario");
  stage.set = strings(p, "set");
  const auto defective = p.value("defective_set");
  stage.defective_set = strings(p, "defective_set");
  if (stage.defective_set.empty()) {
    defective.fail("at least one KEY=VALUE that makes the scenario's release defective",
                   "e.g. \"services.api.versions.v2.behaviour=bug\"");
  }
  stage.clean_set = strings(p, "clean_set");
  stage.calibration_runs = p.integer("calibration_runs", 1, 100'000, stage.calibration_runs);
  stage.calibration_seed = static_cast<std::uint64_t>(
      p.integer("calibration_seed", 0, std::numeric_limits<std::int64_t>::max(), 1));
  p.get("calibration");  // written by to_json for people to read; recomputed here
  p.finish();
  return load_production_stage(std::move(stage), base_dir, file, p.pointer());
}

FixCost read_fix_cost(ObjectReader& o, FixCost fallback) {
  fallback.fix_hours = o.number("fix_hours", 0.0, kUnbounded, fallback.fix_hours);
  fallback.delay_hours = o.number("delay_hours", 0.0, kUnbounded, fallback.delay_hours);
  o.finish();
  return fallback;
}

DefectCostConfig read_defect_cost(ObjectReader& o) {
  DefectCostConfig c;
  c.hourly_rate_usd = o.number("hourly_rate_usd", 0.0, kUnbounded, c.hourly_rate_usd);
  c.rework_hours_per_day =
      o.number("rework_hours_per_day", 0.0, kUnbounded, c.rework_hours_per_day);
  c.delay_cost_usd_per_hour =
      o.number("delay_cost_usd_per_hour", 0.0, kUnbounded, c.delay_cost_usd_per_hour);
  if (auto stages = o.optional_child("stages")) {
    for (auto& [name, value] : stages->members()) {
      auto stage = value.as_object();
      c.stages.emplace_back(name, read_fix_cost(stage, c.default_stage));
    }
  }
  if (auto d = o.optional_child("default_stage")) c.default_stage = read_fix_cost(*d, {});
  if (auto p = o.optional_child("production")) c.production = read_fix_cost(*p, c.production);
  o.finish();
  return c;
}

// "09:00": the form time_of_day reads back.
std::string clock_text(engine::Duration d) {
  char buffer[48];
  const auto minutes = d.ms() / 60'000;
  std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", static_cast<long long>(minutes / 60),
                static_cast<long long>(minutes % 60));
  return buffer;
}

// "09:00" as a time of day.
engine::Duration time_of_day(const ValueReader& value) {
  const auto ms = engine::parse_time_of_day_ms(value.as_string());
  if (!ms) value.fail("a time of day such as \"09:00\"");
  return engine::Duration::milliseconds(*ms);
}

WorkingHours read_working_hours(ObjectReader& o) {
  WorkingHours h;
  if (auto start = o.optional("start")) h.start = time_of_day(*start);
  if (auto end = o.optional("end")) {
    h.end = time_of_day(*end);
    if (h.end <= h.start) {
      end->fail("an end after the start (" + clock_text(h.start) + ")",
                "working hours that never open would hold every release for ever");
    }
  }
  h.weekends = o.boolean("weekends", h.weekends);
  o.finish();
  return h;
}

LatentDefects read_latent(ObjectReader& o) {
  LatentDefects l;
  l.ship_probability = o.probability("ship_probability", l.ship_probability);
  l.wake_probability = o.probability("wake_probability", l.wake_probability);
  l.cleanup_per_day = o.number("cleanup_per_day", 0.0, kUnbounded, l.cleanup_per_day);
  o.finish();
  return l;
}

// How a stage tests; a staging stage's catch comes from its traffic, not catch_probability.
void read_stage_testing(ObjectReader& s, PipelineStage& stage) {
  const auto testing = s.string_enum("testing", kTestings, "plain");
  stage.testing = static_cast<StageTesting>(std::find(kTestings.begin(), kTestings.end(), testing) -
                                            kTestings.begin());
  stage.replay_coverage = s.probability("replay_coverage", 0.0);
  stage.traffic_share = s.probability("traffic_share", 0.0);
  stage.surface_per_hour = s.number("surface_per_hour", 0.0, kUnbounded, 0.0);
  if (stage.testing == StageTesting::staging && stage.traffic_share == 0.0) {
    s.value("testing").fail("a \"traffic_share\" above 0 for a staging stage",
                            "a staging environment catches in proportion to its traffic");
  }
}

// The keys of issue-20's additions: the gate's hours and eye, latent defects, prices.
void read_defect_keys(ObjectReader& o, PipelineConfig& c) {
  if (auto hours = o.optional_child("gate_working_hours"))
    c.gate_hours = read_working_hours(*hours);
  c.gate_stop_probability = o.probability("gate_stop_probability", c.gate_stop_probability);
  c.production_lanes = o.integer("production_lanes", 1, 1'000, c.production_lanes);
  if (auto latent = o.optional_child("latent_defects")) c.latent = read_latent(*latent);
  if (auto cost = o.optional_child("defect_cost")) c.defect_cost = read_defect_cost(*cost);
}

json fix_cost_json(const FixCost& f) {
  return json{{"fix_hours", f.fix_hours}, {"delay_hours", f.delay_hours}};
}

json defect_cost_json(const DefectCostConfig& c) {
  json stages = json::object();
  for (const auto& [name, costs] : c.stages) stages[name] = fix_cost_json(costs);
  return json{{"hourly_rate_usd", c.hourly_rate_usd},
              {"rework_hours_per_day", c.rework_hours_per_day},
              {"delay_cost_usd_per_hour", c.delay_cost_usd_per_hour},
              {"stages", stages},
              {"default_stage", fix_cost_json(c.default_stage)},
              {"production", fix_cost_json(c.production)}};
}

}  // namespace

PipelineConfig pipeline_config_from_json(const json& document, const std::string& file,
                                         const std::filesystem::path& base_dir) {
  ObjectReader o(document, file, "");
  skip_metadata(o);
  PipelineConfig c = default_pipeline();
  c.changes_per_day =
      positive_number(o, "changes_per_day", c.changes_per_day, "a rate of changes per day");
  if (auto size = o.optional("change_size")) {
    c.change_size = size->as_distribution(kNumber);
    if (!(c.change_size.mean() > 0.0)) size->fail("a size distribution with a mean > 0");
  }
  c.defect_probability = o.probability("defect_probability", c.defect_probability);
  c.production_only_share = o.probability("production_only_share", c.production_only_share);
  c.loss_per_minute_usd = o.distribution("loss_per_minute_usd", kNumber, c.loss_per_minute_usd);

  if (o.has("stages")) {
    c.stages.clear();
    // Shares are of all defects, so each stage's conditional catch is its share of what is left.
    double shares_so_far = 0.0;
    for (const auto& element : o.array("stages")) {
      auto s = element.as_object();
      PipelineStage stage;
      stage.name = s.string("name");
      stage.duration = s.distribution("duration", kDuration);
      const bool conditional = s.has("catch_probability");
      const bool share = s.has("catch_share");
      if (conditional && share) {
        s.fail("needs \"catch_probability\" or \"catch_share\", not both",
               "catch_probability is the chance of catching a defect that reaches the stage; "
               "catch_share the share of all defects it catches");
      }
      if (share) {
        const auto value = s.value("catch_share");
        const double x = value.as_probability();
        if (shares_so_far + x > 1.0 + 1e-12) {
          value.fail("catch shares (of all defects) summing to at most 1 over the stages",
                     "the stages before it already catch " + share_text(shares_so_far) +
                         " of all defects; catch_probability is the chance per defect that "
                         "reaches the stage");
        }
        stage.catch_probability =
            shares_so_far >= 1.0 ? 0.0 : std::min(1.0, x / (1.0 - shares_so_far));
        shares_so_far += x;
      } else {
        stage.catch_probability = s.probability("catch_probability", 0.0);
        shares_so_far += (1.0 - shares_so_far) * stage.catch_probability;
      }
      read_stage_testing(s, stage);
      s.finish();
      c.stages.push_back(std::move(stage));
    }
  }
  c.fix_time = o.distribution("fix_time", kDuration, c.fix_time);
  const auto cadence = o.string_enum("cadence", kCadences, "continuous");
  c.cadence = cadence == "train"   ? ReleaseCadence::train
              : cadence == "gated" ? ReleaseCadence::gated
                                   : ReleaseCadence::continuous;
  c.train_interval = o.positive_duration("train_interval", c.train_interval);
  c.gate_delay = o.distribution("gate_delay", kDuration, c.gate_delay);
  c.deploy_time = o.distribution("deploy_time", kDuration, c.deploy_time);
  c.canary_catch_probability =
      o.probability("canary_catch_probability", c.canary_catch_probability);
  if (auto production = o.optional_child("production")) {
    for (const char* replaced : {"deploy_time", "canary_catch_probability"}) {
      if (document.contains(replaced)) {
        o.value(replaced).fail("no " + std::string(replaced) + " beside \"production\"",
                               "the production scenario's runs give the deploy time and the "
                               "chance of stopping a defect");
      }
    }
    c.production = read_production(*production, file, base_dir);
  }
  c.detect_time = o.distribution("detect_time", kDuration, c.detect_time);
  c.diagnose_time = o.distribution("diagnose_time", kDuration, c.diagnose_time);
  c.diagnosis_growth_per_change = o.number("diagnosis_growth_per_change", 0.0, kMaxDiagnosisGrowth,
                                           c.diagnosis_growth_per_change);
  c.repair_time = o.distribution("repair_time", kDuration, c.repair_time);
  read_defect_keys(o, c);
  if (auto horizon = o.optional("horizon")) {
    c.horizon = horizon->as_positive_duration();
    double trip_ms =
        c.production ? c.production->mean_clean_deploy_s * 1000.0 : c.deploy_time.mean();
    for (const auto& stage : c.stages) trip_ms += stage.duration.mean();
    if (static_cast<double>(c.horizon.ms()) < trip_ms) {
      horizon->fail(
          "a horizon at least as long as one change's mean trip through the stages "
          "and a deploy (" +
          trip_text(trip_ms) + ")");
    }
  }
  o.finish();
  validate_for_file(c, document, file);
  return c;
}

PipelineConfig load_pipeline_config(const std::filesystem::path& path,
                                    const std::vector<std::string>& overrides) {
  const std::string file = path.string();
  auto document = input::load_json_file(path);
  for (const auto& assignment : overrides) scenario::apply_override(document, assignment, file);
  return pipeline_config_from_json(document, file, path.parent_path());
}

DriftConfig drift_config_from_json(const json& document, const std::string& file) {
  ObjectReader o(document, file, "");
  skip_metadata(o);
  DriftConfig c;
  c.hosts = o.integer("hosts", 1, 10'000'000, c.hosts);
  c.drift_rate_per_day =
      positive_number(o, "drift_rate_per_day", c.drift_rate_per_day,
                      "a rate of drift events per host per day", kMaxDriftRatePerDay);
  c.mode = o.string_enum("mode", kModes, "converge") == "immutable" ? DriftMode::immutable
                                                                    : DriftMode::converge;
  const auto schedule = o.optional("schedule");
  c.schedule = schedule && schedule->as_enum(kSchedules) == "exponential"
                   ? AgentSchedule::exponential
                   : AgentSchedule::periodic;
  c.interval = o.positive_duration("interval", c.interval);
  if (auto splay = o.optional("splay")) {
    c.splay = splay->as_duration();
    if (c.splay.ms() < 0) splay->fail("a duration of 0 or more");
    if (c.splay.ms() > 0 && c.schedule == AgentSchedule::exponential) {
      splay->fail("0s with the exponential schedule, whose gaps are already random",
                  "remove splay or use \"schedule\": \"periodic\"");
    }
  }
  // A replacement starts from the tested image, so it succeeds unless told otherwise.
  c.success_probability =
      o.probability("success_probability", c.mode == DriftMode::immutable ? 1.0 : 0.95);
  c.horizon = o.positive_duration("horizon", c.horizon);
  if (auto warmup = o.optional("warmup")) {
    c.warmup = warmup->as_duration();
    if (c.warmup.ms() < 0 || c.warmup >= c.horizon) {
      warmup->fail("a warmup from 0 to less than the horizon (" + text(c.horizon) + ")");
    }
  } else if (c.warmup >= c.horizon) {
    c.warmup = engine::Duration::milliseconds(0);
  }
  c.sample_every = o.positive_duration("sample_every", c.sample_every);
  if (auto every = o.optional("deploy_every")) {
    c.deploy_every = every->as_duration();
    if (c.deploy_every.ms() < 0) every->fail("a duration of 0 (no deploys) or more");
  }
  c.deploy_failure_if_drifted =
      o.probability("deploy_failure_if_drifted", c.deploy_failure_if_drifted);
  o.finish();
  validate_for_file(c, document, file);
  return c;
}

DriftConfig load_drift_config(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides) {
  const std::string file = path.string();
  auto document = input::load_json_file(path);
  for (const auto& assignment : overrides) scenario::apply_override(document, assignment, file);
  return drift_config_from_json(document, file);
}

RoiInputs roi_inputs_from_json(const json& document, const std::string& file) {
  ObjectReader o(document, file, "");
  skip_metadata(o);
  RoiInputs in;
  auto amount = [&](std::string_view key, std::optional<double> fallback = std::nullopt) {
    return fallback ? o.number(key, 0.0, kMaxRoiAmount, *fallback)
                    : o.number(key, 0.0, kMaxRoiAmount);
  };
  in.build_hours = amount("build_hours");
  in.maintenance_hours_per_period = amount("maintenance_hours_per_period", 0.0);
  in.hourly_rate_usd = amount("hourly_rate_usd");
  in.manual_hours_per_deploy = amount("manual_hours_per_deploy");
  in.automated_hours_per_deploy = amount("automated_hours_per_deploy");
  auto required_positive = [&](std::string_view key, const std::string& what, double max) {
    const auto value = o.value(key);
    const double x = value.as_number();
    if (!(x > 0.0 && x <= max)) value.fail(what + " above 0 and at most " + short_number(max));
    return x;
  };
  in.deploys_per_period =
      required_positive("deploys_per_period", "deploys per period", kMaxRoiDeploysPerPeriod);
  in.horizon_periods =
      required_positive("horizon_periods", "a horizon in periods", kMaxSeriesPoints);
  in.manual_loss_per_deploy_usd = amount("manual_loss_per_deploy_usd", 0.0);
  in.automated_loss_per_deploy_usd = amount("automated_loss_per_deploy_usd", 0.0);
  o.finish();
  validate_for_file(in, document, file);
  return in;
}

// ---- JSON forms -------------------------------------------------------------------------------

void to_json(json& j, const PipelineConfig& c) {
  json stages = json::array();
  for (const auto& s : c.stages) {
    json stage = {{"name", s.name},
                  {"duration", s.duration.to_string(kDuration)},
                  {"catch_probability", s.catch_probability}};
    if (s.testing != StageTesting::plain) {
      stage["testing"] = kTestings[static_cast<std::size_t>(s.testing)];
      stage["replay_coverage"] = s.replay_coverage;
      stage["traffic_share"] = s.traffic_share;
      stage["surface_per_hour"] = s.surface_per_hour;
    }
    stages.push_back(std::move(stage));
  }
  j = json{{"changes_per_day", c.changes_per_day},
           {"change_size", c.change_size.to_string(kNumber)},
           {"defect_probability", c.defect_probability},
           {"production_only_share", c.production_only_share},
           {"loss_per_minute_usd", c.loss_per_minute_usd.to_string(kNumber)},
           {"stages", stages},
           {"fix_time", c.fix_time.to_string(kDuration)},
           {"cadence", kCadences[static_cast<std::size_t>(c.cadence)]},
           {"train_interval", text(c.train_interval)},
           {"gate_delay", c.gate_delay.to_string(kDuration)},
           {"deploy_time", c.deploy_time.to_string(kDuration)},
           {"canary_catch_probability", c.canary_catch_probability},
           {"detect_time", c.detect_time.to_string(kDuration)},
           {"diagnose_time", c.diagnose_time.to_string(kDuration)},
           {"diagnosis_growth_per_change", c.diagnosis_growth_per_change},
           {"repair_time", c.repair_time.to_string(kDuration)},
           {"horizon", text(c.horizon)},
           {"gate_stop_probability", c.gate_stop_probability},
           {"production_lanes", c.production_lanes},
           {"latent_defects",
            {{"ship_probability", c.latent.ship_probability},
             {"wake_probability", c.latent.wake_probability},
             {"cleanup_per_day", c.latent.cleanup_per_day}}},
           {"defect_cost", defect_cost_json(c.defect_cost)}};
  if (c.gate_hours) {
    j["gate_working_hours"] = {{"start", clock_text(c.gate_hours->start)},
                               {"end", clock_text(c.gate_hours->end)},
                               {"weekends", c.gate_hours->weekends}};
  }
  if (c.production) {
    const auto& p = *c.production;
    j.erase("deploy_time");
    j.erase("canary_catch_probability");
    j["production"] = {{"scenario", p.scenario},
                       {"set", p.set},
                       {"defective_set", p.defective_set},
                       {"clean_set", p.clean_set},
                       {"calibration_runs", p.calibration_runs},
                       {"calibration_seed", p.calibration_seed},
                       {"calibration", p}};
  }
}

void to_json(json& j, const ProductionStage& p) {
  json defective = json::array();
  for (const auto& r : p.defective) {
    defective.push_back({{"stopped", r.stopped},
                         {"exposed_share", r.exposed_share},
                         {"incident_offset_s", r.incident_offset_s},
                         {"detect_s", null_if_nan(r.detect_s)},
                         {"exposure_s", r.exposure_s},
                         {"busy_s", r.busy_s}});
  }
  j = json{{"scenario_name", p.scenario_name},
           {"fleet_hosts", p.fleet_hosts},
           {"stop_probability", p.stop_probability},
           {"escaped_exposed_share", null_if_nan(p.escaped_exposed_share)},
           {"mean_clean_deploy_s", p.mean_clean_deploy_s},
           {"clean_deploy_s", p.clean_deploy_s},
           {"defective_runs", defective}};
}

void to_json(json& j, const DriftConfig& c) {
  j = json{{"hosts", c.hosts},
           {"drift_rate_per_day", c.drift_rate_per_day},
           {"mode", kModes[static_cast<std::size_t>(c.mode)]},
           {"schedule", kSchedules[static_cast<std::size_t>(c.schedule)]},
           {"interval", text(c.interval)},
           {"splay", text(c.splay)},
           {"success_probability", c.success_probability},
           {"horizon", text(c.horizon)},
           {"warmup", text(c.warmup)},
           {"sample_every", text(c.sample_every)},
           {"deploy_every", text(c.deploy_every)},
           {"deploy_failure_if_drifted", c.deploy_failure_if_drifted}};
}

void to_json(json& j, const RoiInputs& in) {
  j = json{{"build_hours", in.build_hours},
           {"maintenance_hours_per_period", in.maintenance_hours_per_period},
           {"hourly_rate_usd", in.hourly_rate_usd},
           {"manual_hours_per_deploy", in.manual_hours_per_deploy},
           {"automated_hours_per_deploy", in.automated_hours_per_deploy},
           {"deploys_per_period", in.deploys_per_period},
           {"horizon_periods", in.horizon_periods},
           {"manual_loss_per_deploy_usd", in.manual_loss_per_deploy_usd},
           {"automated_loss_per_deploy_usd", in.automated_loss_per_deploy_usd}};
}

void to_json(json& j, const DoraMetrics& m) {
  j = json{{"deploys_per_day", null_if_nan(m.deploys_per_day)},
           {"lead_time_median_s", null_if_nan(m.lead_time_median_s)},
           {"change_fail_rate", null_if_nan(m.change_fail_rate)},
           {"recovery_median_s", null_if_nan(m.recovery_median_s)},
           {"rework_rate", null_if_nan(m.rework_rate)},
           {"deployments", m.deployments},
           {"failed_deployments", m.failed_deployments},
           {"rework_deployments", m.rework_deployments},
           {"changes_delivered", m.changes_delivered}};
}

void to_json(json& j, const DoraClassification& c) {
  j = json{{"deployment_frequency", level_name(c.deployment_frequency)},
           {"lead_time", level_name(c.lead_time)},
           {"change_fail_rate", level_name(c.change_fail_rate)},
           {"recovery_time", level_name(c.recovery_time)},
           {"overall", level_name(c.overall)}};
}

void to_json(json& j, const IncidentRecord& i) {
  j = json{{"start_s", i.start_s},
           {"detected_s", i.detected_s},
           {"recovered_s", i.recovered_s},
           {"changes", i.changes},
           {"defective_changes", i.defective_changes},
           {"loss_usd", i.loss_usd},
           {"stopped_by_canary", i.stopped_by_canary}};
}

void to_json(json& j, const PipelineDay& d) {
  j = json{{"day", d.day},
           {"deployments", d.deployments},
           {"changes_deployed", d.changes_deployed},
           {"mean_batch_size", null_if_nan(d.mean_batch_size)},
           {"lead_time_median_s", null_if_nan(d.lead_time_median_s)},
           {"incidents", d.incidents},
           {"loss_usd", d.loss_usd},
           {"failed_deployments", d.failed_deployments},
           {"canary_rollbacks", d.canary_rollbacks}};
}

void to_json(json& j, const PipelineRun& run) {
  j = json{{"changes", run.changes},
           {"defects", run.defects},
           {"defects_caught_in_stages", run.defects_caught_in_stages},
           {"canary_rollbacks", run.canary_rollbacks},
           {"incidents", run.incidents},
           {"loss_usd", run.loss_usd},
           {"mean_changes_per_deployment", run.mean_changes_per_deployment},
           {"events_processed", run.events_processed},
           {"dora", run.dora},
           {"dora_2024", classify_dora(run.dora)},
           {"days", run.days},
           {"incident_log", run.incident_log},
           {"defect_cost_usd", run.defect_cost_usd},
           {"latent_shipped", run.latent_shipped},
           {"latent_incidents", run.latent_incidents},
           {"latent_loss_usd", run.latent_loss_usd},
           {"latent_pool_at_end", run.latent_pool_at_end}};
}

void to_json(json& j, const PipelineReplica& r) {
  // Each replica's own tallies by place, so that a caller can put an interval over replicas on
  // any figure the report gives as a mean.
  json found = json::array();
  for (const auto& t : r.found) {
    found.push_back({{"defects", t.defects},
                     {"cost_usd", t.cost_usd},
                     {"incident_usd", t.incident_usd},
                     {"days_sum", t.days_sum}});
  }
  j = json{{"dora", r.dora},
           {"incidents", r.incidents},
           {"canary_rollbacks", r.canary_rollbacks},
           {"loss_usd", r.loss_usd},
           {"mean_changes_per_deployment", r.mean_changes_per_deployment},
           {"events_processed", r.events_processed},
           {"defect_cost_usd", r.defect_cost_usd},
           {"latent_incidents", r.latent_incidents},
           {"latent_loss_usd", r.latent_loss_usd},
           {"found", std::move(found)}};
}

void to_json(json& j, const DriftSample& s) {
  j = json{{"time_s", s.time_s}, {"drifted_fraction", s.drifted_fraction}};
}

void to_json(json& j, const DriftIncident& i) {
  j = json{{"time_s", i.time_s}, {"drifted_hosts", i.drifted_hosts}, {"bad_hosts", i.bad_hosts}};
}

void to_json(json& j, const DriftRun& run) {
  j = json{{"steady_drifted_fraction", run.steady_drifted_fraction},
           {"drift_events", run.drift_events},
           {"agent_runs", run.agent_runs},
           {"repairs", run.repairs},
           {"deploys", run.deploys},
           {"bad_host_deploys", run.bad_host_deploys},
           {"deploy_incidents", run.deploy_incidents},
           {"events_processed", run.events_processed},
           {"series", run.series},
           {"time_in_drift_s", run.time_in_drift_s},
           {"incidents", run.incidents}};
}

void to_json(json& j, const DriftAnalysis& a) {
  j = json{{"ctmc_drifted_fraction", a.ctmc_drifted_fraction},
           {"phases", a.phases},
           {"exact_drifted_fraction", a.exact_drifted_fraction},
           {"mean_gap_s", a.mean_gap_s}};
}

void to_json(json& j, const RoiResult& r) {
  auto optional = [](const std::optional<double>& x) { return x ? json(*x) : json(nullptr); };
  json series = json::array();
  for (const auto& p : r.series) {
    series.push_back({{"period", p.period},
                      {"deploys", p.deploys},
                      {"manual_usd", p.manual_usd},
                      {"automated_usd", p.automated_usd}});
  }
  j = json{{"build_cost_usd", r.build_cost_usd},
           {"manual_cost_per_period_usd", r.manual_cost_per_period_usd},
           {"automated_cost_per_period_usd", r.automated_cost_per_period_usd},
           {"saving_per_period_usd", r.saving_per_period_usd},
           {"break_even_periods", optional(r.break_even_periods)},
           {"break_even_deploys", optional(r.break_even_deploys)},
           {"pays_back_within_horizon", r.pays_back_within_horizon},
           {"net_saving_at_horizon_usd", r.net_saving_at_horizon_usd},
           {"series", series}};
}

}  // namespace deploysim::delivery
