#pragma once
// The delivery models' inputs as JSON files, and their inputs and results as JSON values.
//
// A pipeline or drift file is one object whose keys are the fields of PipelineConfig or
// DriftConfig (docs/delivery.md lists them); absent keys keep the defaults of
// default_pipeline() and DriftConfig{}, unknown keys are errors with a "did you mean". Every
// problem is a input::InputError naming the file, the JSON pointer and what was expected,
// the same error the scenario loader raises, so front ends report both alike (CLI exit code 2,
// Python ValueError).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "delivery/dora.hpp"
#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/production.hpp"
#include "delivery/roi.hpp"

namespace deploysim::delivery {

/// Reads a pipeline document; `file` labels errors, and `base_dir` is where relative paths in
/// it (the production scenario) are found. Validates the result like validate(PipelineConfig),
/// but with pointers. Throws input::InputError.
PipelineConfig pipeline_config_from_json(const nlohmann::json& document, const std::string& file,
                                         const std::filesystem::path& base_dir = {});

/// Loads a pipeline file, applies `overrides` ("key=value", the syntax of `deploysim run --set`,
/// see scenario::apply_override) and reads it. Throws input::InputError.
PipelineConfig load_pipeline_config(const std::filesystem::path& path,
                                    const std::vector<std::string>& overrides = {});

/// Reads a drift document; `file` labels errors. Throws input::InputError.
DriftConfig drift_config_from_json(const nlohmann::json& document, const std::string& file);

/// Loads a drift file and applies `overrides`. Throws input::InputError.
DriftConfig load_drift_config(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides = {});

/// Reads the deployment case of `deploysim roi` (keys: the fields of RoiInputs). Throws
/// input::InputError.
RoiInputs roi_inputs_from_json(const nlohmann::json& document, const std::string& file);

// JSON forms (found by nlohmann's ADL: `nlohmann::json j = config;`). Configs write every key
// the readers accept, so pipeline_config_from_json(json(config)) gives the config back.
// Durations are text ("30min"), distributions their text form, times seconds of simulated
// time, and undefined quantities (NaN, no recovery) null.
/// With a production stage: its inputs, and under "calibration" what calibration found (the
/// reader accepts and ignores that part, recalibrating from the inputs).
void to_json(nlohmann::json& j, const PipelineConfig& config);
/// The calibrated figures of a production stage.
void to_json(nlohmann::json& j, const ProductionStage& stage);
void to_json(nlohmann::json& j, const DriftConfig& config);
void to_json(nlohmann::json& j, const RoiInputs& inputs);
void to_json(nlohmann::json& j, const DoraMetrics& metrics);
void to_json(nlohmann::json& j, const DoraClassification& classification);
void to_json(nlohmann::json& j, const IncidentRecord& incident);
void to_json(nlohmann::json& j, const PipelineDay& day);
/// Summary figures, "dora", "dora_2024", "days" and "incidents"; not the per-change lead
/// times of the deployment log, which can run to millions.
void to_json(nlohmann::json& j, const PipelineRun& run);
void to_json(nlohmann::json& j, const PipelineReplica& replica);
void to_json(nlohmann::json& j, const DriftSample& sample);
void to_json(nlohmann::json& j, const DriftIncident& incident);
/// Summary figures, "series", "time_in_drift_s" (per host) and "incidents".
void to_json(nlohmann::json& j, const DriftRun& run);
void to_json(nlohmann::json& j, const DriftAnalysis& analysis);
void to_json(nlohmann::json& j, const RoiResult& result);

}  // namespace deploysim::delivery
