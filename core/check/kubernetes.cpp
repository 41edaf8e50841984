#include "check/kubernetes.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <unordered_map>

#include "check/version_range.hpp"
#include "input/file.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "input/yaml_reader.hpp"

namespace deploysim::check {
namespace {

using input::child_pointer;
using input::InputError;
using input::InputProblem;
using input::ObjectReader;
using input::quote;
using input::ValueReader;
using input::YamlDocument;

constexpr std::string_view kPrefix = "deploysim.io/";

// The apiVersion each kind the checker reads is served under.
const std::map<std::string, std::string, std::less<>> kApiVersions = {
    {"Deployment", "apps/v1"},
    {"StatefulSet", "apps/v1"},
    {"DaemonSet", "apps/v1"},
    {"ReplicaSet", "apps/v1"},
    {"Pod", "v1"},
    {"ConfigMap", "v1"},
    {"Rollout", "argoproj.io/v1alpha1"}};

// One document of the user's files, with the name findings use for it.
struct Source {
  const YamlDocument* document;
  std::string file;
  // The object in the resource file that `kustomize build` made this document from (its
  // config.kubernetes.io/origin annotation), when that file was found; else null.
  const YamlDocument* origin = nullptr;
  std::string origin_file{};
  // For `helm template` output whose template file was found: the lines of the rendered stream
  // and of the template; else null.
  const std::vector<std::string>* rendered = nullptr;
  const std::vector<std::string>* template_lines = nullptr;

  SourceSpot spot(std::string_view pointer) const {
    if (origin != nullptr) {
      // Keys kustomize added (labels, namespace) are not in the resource file: the nearest
      // enclosing value that is stands for them.
      const input::SourceRange at = origin->positions.find(pointer);
      return {origin_file, {{at.line, at.column}, {at.end_line, at.end_column}}};
    }
    const input::SourceRange at = document->positions.find(pointer);
    if (document->source.empty()) {
      return {file, {{at.line, at.column}, {at.end_line, at.end_column}}};
    }
    const int shift = template_line(at.line) - at.line;
    return {document->source, {{at.line + shift, at.column}, {at.end_line + shift, at.end_column}}};
  }

 private:
  // The indentation and key of a line ("  - name: web" -> 4, "name"), or an empty key.
  static std::pair<std::size_t, std::string> key_of(const std::string& line) {
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) return {0, ""};
    if (line.compare(indent, 2, "- ") == 0) indent = line.find_first_not_of(' ', indent + 2);
    if (indent == std::string::npos) return {0, ""};
    const std::size_t colon = line.find(':', indent);
    if (colon == std::string::npos || colon == indent) return {indent, ""};
    const std::string key = line.substr(indent, colon - indent);
    if (key.find_first_of(" {}\"'#") != std::string::npos) return {indent, ""};
    return {indent, key};
  }

  // The template's line for a line of the rendered document. Counted from the `# Source:`
  // comment, unless multi-line directives above it ({{ include ... | nindent 4 }}) make the
  // two differ: then the key of the rendered line, at its indentation, is found in the
  // template by its rank among the lines with that key and indentation. The count is the
  // fallback when the ranks do not match (a range or conditional around the key).
  int template_line(int line) const {
    const int counted = line - document->source_line;
    if (rendered == nullptr || template_lines == nullptr || line < 1 ||
        static_cast<std::size_t>(line) > rendered->size()) {
      return counted;
    }
    const auto wanted = key_of((*rendered)[static_cast<std::size_t>(line) - 1]);
    if (wanted.second.empty()) return counted;
    std::size_t rank = 0;
    for (auto i = static_cast<std::size_t>(document->source_line);
         i < static_cast<std::size_t>(line); ++i) {
      if (key_of((*rendered)[i]) == wanted) ++rank;
    }
    for (std::size_t j = 0; j < template_lines->size(); ++j) {
      if (key_of((*template_lines)[j]) == wanted && --rank == 0) return static_cast<int>(j) + 1;
    }
    return counted;
  }
};

// An image reference split into what the checker reads from it.
struct Image {
  std::string version;  // the digest ("sha256:...") or the tag; "" for neither
  bool pinned = false;
};

Image parse_image(const std::string& image) {
  if (const auto at = image.find('@'); at != std::string::npos) return {image.substr(at + 1), true};
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash))
    return {"", false};
  std::string tag = image.substr(colon + 1);
  return {tag, tag != "latest"};
}

struct ContainerIn {
  std::string name;
  std::string image;
  std::string image_pointer;
  bool readiness_probe = false;
};

// A workload read from the manifests.
struct WorkloadIn {
  Source source;
  std::string kind;
  std::string ns;
  std::string name;
  std::string group;  // namespace/name
  std::string service;
  std::int64_t replicas = 1;
  std::string replicas_pointer;  // "" when not written (the default)
  std::string metadata_pointer = "/metadata";
  std::vector<ContainerIn> containers;
  std::size_t main = 0;  // the container whose image is the version
  std::string version;
  std::string version_pointer;
  bool pinned = true;
  bool gates_on_readiness = false;
  std::string version_label;
  std::string container_name;                 // deploysim.io/container; "" for the first
  std::map<std::string, std::string> labels;  // of the pod template
  // ConfigMaps read whole (envFrom) and single keys (valueFrom) as (configmap, key).
  std::set<std::string> config_maps;
  std::set<std::pair<std::string, std::string>> config_keys;
  std::map<std::string, std::map<std::string, std::string>> version_flags;
  std::string versions_pointer;
  // An Argo Rollout's canary: its setWeight steps, each with the gate that follows it.
  struct CanaryStep {
    std::int64_t weight = 0;
    std::string gate;
    std::string pointer;
  };
  std::vector<CanaryStep> canary_steps;
  bool background_analysis = false;
  std::vector<ManifestDependency> depends_on;
  Ignores ignore;
};

struct ConfigMapIn {
  Source source;
  std::string ns;
  std::string name;
  std::map<std::string, std::string> data;
  std::vector<std::string> flags;
  std::map<std::string, std::string> meanings;
};

bool flag_value_on(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return value == "true" || value == "on" || value == "yes" || value == "1" || value == "enabled";
}

// Problems raised by readers that know pointers only get the document's line and column.
[[noreturn]] void rethrow_located(const InputError& error, const Source& source) {
  std::vector<InputProblem> problems = error.problems();
  for (auto& problem : problems) {
    if (problem.line != 0) continue;
    const input::SourceRange at = source.document->positions.find(problem.pointer);
    problem.line = at.line;
    problem.column = at.column;
  }
  throw InputError(std::move(problems));
}

std::map<std::string, std::string> string_map(const std::optional<ValueReader>& value) {
  std::map<std::string, std::string> out;
  if (!value || value->json().is_null()) return out;
  for (auto& [key, item] : value->as_object().members()) out.emplace(key, item.as_string());
  return out;
}

// JSON written inside an annotation: its problems are reported at the annotation.
nlohmann::json annotation_json(const ObjectReader& metadata, const std::string& key,
                               const std::string& text) {
  const std::string pointer = child_pointer(child_pointer(metadata.pointer(), "annotations"), key);
  try {
    return input::parse_json_text(text, metadata.file());
  } catch (const InputError& error) {
    // The JSON's own line and column are inside the annotation's string: name the annotation
    // (its line is found from the pointer) and say where in the string.
    const InputProblem& inner = error.problems().front();
    throw InputError(
        InputProblem{.file = metadata.file(),
                     .pointer = pointer,
                     .detail = "annotation " + key + ", line " + std::to_string(inner.line) +
                               ", column " + std::to_string(inner.column) + " of its value: " +
                               (inner.detail.empty() ? "expected " + inner.expected : inner.detail),
                     .hint = inner.hint});
  }
}

// Whether `a` and `b` differ by one typo at most (one letter added, dropped, changed, or two
// swapped), ignoring ASCII case. Kubernetes has many keys the checker does not read, and
// did_you_mean's looser distance would take some of them (livenessProbe) for misspellings of
// those it does (readinessProbe); one typo away, none of them is.
bool one_typo_apart(std::string_view a, std::string_view b) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  std::string x = lower(a);
  std::string y = lower(b);
  if (x.size() > y.size()) std::swap(x, y);
  if (y.size() - x.size() > 1) return false;
  std::size_t i = 0;
  while (i < x.size() && x[i] == y[i]) ++i;
  if (i == x.size()) return true;
  if (x.size() < y.size()) return x.compare(i, std::string::npos, y, i + 1) == 0;
  if (x.compare(i + 1, std::string::npos, y, i + 1) == 0) return true;
  return i + 1 < x.size() && x[i] == y[i + 1] && x[i + 1] == y[i] &&
         x.compare(i + 2, std::string::npos, y, i + 2) == 0;
}

// A key one typo away from one the checker reads (`replica`, `readinesProbe`) would leave a
// default in its place (one replica, no probe) without a word: it is an input error.
void refuse_misspelt_keys(const ObjectReader& object,
                          std::initializer_list<std::string_view> read) {
  for (const auto& item : object.json().items()) {
    const std::string& key = item.key();
    if (std::find(read.begin(), read.end(), key) != read.end()) continue;
    for (const std::string_view wanted : read) {
      if (one_typo_apart(key, wanted)) {
        throw InputError(InputProblem{.file = object.file(),
                                      .pointer = child_pointer(object.pointer(), key),
                                      .detail = "unknown key " + quote(key),
                                      .hint = "did you mean " + quote(std::string(wanted)) + "?"});
      }
    }
  }
}

// A deploysim.io/ annotation the checker does not read would silently check nothing.
[[noreturn]] void unknown_annotation(const ObjectReader& metadata, const std::string& key,
                                     const std::vector<std::string>& known,
                                     const std::string& otherwise) {
  const std::string suggestion = input::did_you_mean(key.substr(kPrefix.size()), known);
  throw InputError(
      InputProblem{.file = metadata.file(),
                   .pointer = child_pointer(child_pointer(metadata.pointer(), "annotations"), key),
                   .detail = "unknown annotation " + quote(key),
                   .hint = suggestion.empty()
                               ? otherwise
                               : "did you mean " + quote(std::string(kPrefix) + suggestion) + "?"});
}

class ManifestReader {
 public:
  ManifestReader(KubernetesInput& out, const KubernetesOptions& options)
      : out_(out), options_(options) {}

  void read_document(const Source& source) {
    try {
      read_object(source, source.document->value, "");
    } catch (const InputError& error) {
      rethrow_located(error, source);
    }
  }

  std::vector<WorkloadIn>& workloads() { return workloads_; }
  std::vector<ConfigMapIn>& config_maps() { return config_maps_; }

 private:
  void read_object(const Source& source, const nlohmann::json& value, const std::string& at) {
    ObjectReader object(value, source.file, at);
    if (!object.has("kind") && object.has("manifest_version")) {
      object.fail("a Kubernetes object with apiVersion and kind, found a deploysim manifest",
                  "check it with `deploysim check FILE`, without --kubernetes");
    }
    const std::string kind = object.string("kind");
    if (kind == "List") {
      for (const auto& item : object.array("items"))
        read_object(source, item.json(), item.pointer());
      return;
    }
    const auto api = kApiVersions.find(kind);
    if (api == kApiVersions.end()) {
      object.string("apiVersion");
      for (const auto& [known, version] : kApiVersions) {
        if (one_typo_apart(kind, known)) {
          object.value("kind").fail("a kind of Kubernetes object",
                                    "did you mean " + quote(known) + "?");
        }
      }
      ++out_.skipped[kind];
      return;
    }
    const auto api_version = object.value("apiVersion");
    if (api_version.as_string() != api->second) {
      api_version.fail(quote(api->second) + " for kind " + kind);
    }
    if (kind == "ConfigMap") {
      refuse_misspelt_keys(object, {"apiVersion", "kind", "metadata", "data"});
      read_config_map(source, object);
    } else {
      refuse_misspelt_keys(object, {"apiVersion", "kind", "metadata", "spec"});
      read_workload(source, object, kind);
    }
  }

  void read_config_map(const Source& source, ObjectReader& object) {
    ConfigMapIn map{source, "default", "", {}, {}, {}};
    auto metadata = object.child("metadata");
    refuse_misspelt_keys(metadata, {"name", "namespace", "annotations"});
    map.name = metadata.string("name");
    map.ns = metadata.string("namespace", "default");
    const auto annotations = string_map(metadata.optional("annotations"));
    map.data = string_map(object.optional("data"));
    for (const auto& [key, text] : annotations) {
      if (key == std::string(kPrefix) + "flags") {
        std::size_t start = 0;
        while (start <= text.size()) {
          std::size_t end = text.find(',', start);
          if (end == std::string::npos) end = text.size();
          std::string flag = text.substr(start, end - start);
          flag.erase(0, flag.find_first_not_of(' '));
          flag.erase(flag.find_last_not_of(' ') + 1);
          if (!flag.empty() && map.data.count(flag) == 0) {
            ValueReader(metadata.json().at("annotations").at(key), source.file,
                        child_pointer(child_pointer(metadata.pointer(), "annotations"), key))
                .fail("keys of the ConfigMap's data", "no key " + quote(flag) + " in /data");
          }
          if (!flag.empty()) map.flags.push_back(flag);
          start = end + 1;
        }
      } else if (key.rfind(std::string(kPrefix) + "meaning.", 0) == 0) {
        map.meanings.emplace(key.substr(kPrefix.size() + 8), text);
      } else if (key.rfind(kPrefix, 0) == 0) {
        unknown_annotation(metadata, key, {"flags", "meaning."},
                           "a ConfigMap takes deploysim.io/flags and deploysim.io/meaning.KEY");
      }
    }
    // A meaning is for a listed flag: one for another key is most likely a misspelt flag.
    for (const auto& [flag, meaning] : map.meanings) {
      if (std::find(map.flags.begin(), map.flags.end(), flag) != map.flags.end()) continue;
      std::vector<std::string> meaning_keys;
      for (const auto& listed : map.flags) meaning_keys.push_back("meaning." + listed);
      unknown_annotation(metadata, std::string(kPrefix) + "meaning." + flag, meaning_keys,
                         "the meaning of a flag that deploysim.io/flags does not list");
    }
    config_maps_.push_back(std::move(map));
  }

  void read_workload(const Source& source, ObjectReader& object, const std::string& kind);
  void read_pod_spec(WorkloadIn& workload, const ValueReader& spec);
  void read_annotations(WorkloadIn& workload, const ObjectReader& metadata,
                        const std::map<std::string, std::string>& annotations);
  void read_version(WorkloadIn& workload, const ObjectReader& object, const std::string& labels_at);
  void read_canary(WorkloadIn& workload, ObjectReader& spec);

  KubernetesInput& out_;
  const KubernetesOptions& options_;
  std::vector<WorkloadIn> workloads_;
  std::vector<ConfigMapIn> config_maps_;
};

void ManifestReader::read_workload(const Source& source, ObjectReader& object,
                                   const std::string& kind) {
  WorkloadIn workload;
  workload.source = source;
  workload.kind = kind;
  auto metadata = object.child("metadata");
  refuse_misspelt_keys(metadata, {"name", "namespace", "annotations", "labels"});
  workload.metadata_pointer = metadata.pointer();
  workload.name = metadata.string("name");
  workload.ns = metadata.string("namespace", "default");
  workload.group = workload.ns + "/" + workload.name;
  workload.service = workload.name;
  workload.version_label = options_.version_label;
  read_annotations(workload, metadata, string_map(metadata.optional("annotations")));
  auto spec = object.child("spec");
  if (kind == "Pod") {
    workload.labels = string_map(metadata.optional("labels"));
    read_pod_spec(workload, ValueReader(object.json().at("spec"), source.file, spec.pointer()));
    read_version(workload, object, child_pointer(metadata.pointer(), "labels"));
  } else {
    refuse_misspelt_keys(spec, {"replicas", "template", "strategy", "updateStrategy"});
    if (kind != "DaemonSet") {
      if (const auto replicas = spec.optional("replicas")) {
        workload.replicas = replicas->as_integer(0, 1'000'000);
        workload.replicas_pointer = replicas->pointer();
      }
    }
    auto template_object = spec.child("template");
    refuse_misspelt_keys(template_object, {"metadata", "spec"});
    if (auto template_metadata = template_object.optional_child("metadata")) {
      workload.labels = string_map(template_metadata->optional("labels"));
    }
    read_pod_spec(workload, template_object.value("spec"));
    read_version(workload, object,
                 child_pointer(child_pointer(template_object.pointer(), "metadata"), "labels"));
    // Which rolling updates wait for new pods to be ready: every kind's default strategy but
    // Recreate and OnDelete; a bare ReplicaSet has no update at all.
    std::string strategy = "RollingUpdate";
    if (const auto* s = spec.get(kind == "Deployment" ? "strategy" : "updateStrategy")) {
      if (s->is_object() && s->contains("type") && s->at("type").is_string()) {
        strategy = s->at("type").get<std::string>();
      }
    }
    workload.gates_on_readiness =
        kind == "Rollout" || (kind != "ReplicaSet" && strategy == "RollingUpdate");
    if (kind == "Rollout") read_canary(workload, spec);
  }
  workloads_.push_back(std::move(workload));
}

// The steps of an Argo Rollout's canary strategy: each setWeight is a stage, gated by the
// analysis or the indefinite pause (a person promotes) that follows it before the next one.
void ManifestReader::read_canary(WorkloadIn& workload, ObjectReader& spec) {
  auto strategy = spec.optional_child("strategy");
  if (!strategy) return;
  refuse_misspelt_keys(*strategy, {"canary"});
  auto canary = strategy->optional_child("canary");
  if (!canary) return;
  refuse_misspelt_keys(*canary, {"steps", "analysis"});
  workload.background_analysis = canary->has("analysis");
  for (const auto& entry : canary->optional_array("steps")) {
    auto step = entry.as_object();
    refuse_misspelt_keys(step, {"setWeight", "analysis", "pause"});
    if (const auto weight = step.optional("setWeight")) {
      workload.canary_steps.push_back({weight->as_integer(0, 100), "", entry.pointer()});
      continue;
    }
    if (workload.canary_steps.empty() || !workload.canary_steps.back().gate.empty()) continue;
    auto& gate = workload.canary_steps.back().gate;
    if (step.has("analysis")) {
      gate = "analysis";
    } else if (const auto pause = step.optional("pause")) {
      if (!pause->json().is_object() || !pause->json().contains("duration")) {
        gate = "manual promotion";
      }
    }
  }
}

void ManifestReader::read_pod_spec(WorkloadIn& workload, const ValueReader& spec) {
  auto object = spec.as_object();
  refuse_misspelt_keys(object, {"containers"});
  const auto containers = object.array("containers");
  if (containers.empty()) object.value("containers").fail("at least one container");
  for (const auto& entry : containers) {
    auto container = entry.as_object();
    refuse_misspelt_keys(container, {"name", "image", "readinessProbe", "envFrom", "env"});
    ContainerIn in;
    in.name = container.string("name");
    const auto image = container.value("image");
    in.image = image.as_string();
    in.image_pointer = image.pointer();
    in.readiness_probe = container.has("readinessProbe");
    for (const auto& from : container.optional_array("envFrom")) {
      auto source = from.as_object();
      refuse_misspelt_keys(source, {"configMapRef"});
      if (auto ref = source.optional_child("configMapRef")) {
        workload.config_maps.insert(ref->string("name"));
      }
    }
    for (const auto& variable : container.optional_array("env")) {
      auto env = variable.as_object();
      refuse_misspelt_keys(env, {"valueFrom"});
      auto value_from = env.optional_child("valueFrom");
      if (!value_from) continue;
      refuse_misspelt_keys(*value_from, {"configMapKeyRef"});
      if (auto ref = value_from->optional_child("configMapKeyRef")) {
        workload.config_keys.emplace(ref->string("name"), ref->string("key"));
      }
    }
    workload.containers.push_back(std::move(in));
  }
}

void ManifestReader::read_annotations(WorkloadIn& workload, const ObjectReader& metadata,
                                      const std::map<std::string, std::string>& annotations) {
  const std::string annotations_at = child_pointer(metadata.pointer(), "annotations");
  for (const auto& [key, text] : annotations) {
    if (key.rfind(kPrefix, 0) != 0) continue;
    const std::string name = key.substr(kPrefix.size());
    const std::string pointer = child_pointer(annotations_at, key);
    if (name == "service") {
      workload.service = text;
    } else if (name == "version-label") {
      workload.version_label = text;
    } else if (name == "container") {
      workload.container_name = text;
    } else if (name == "versions") {
      const nlohmann::json versions = annotation_json(metadata, key, text);
      ObjectReader reader(versions, metadata.file(), pointer);
      for (auto& [version, flags] : reader.members()) {
        workload.version_flags[version] = string_map(flags);
      }
      workload.versions_pointer = pointer;
    } else if (name == "depends-on") {
      const nlohmann::json depends = annotation_json(metadata, key, text);
      ObjectReader reader(depends, metadata.file(), pointer);
      for (auto& [service, ranges] : reader.members()) {
        ManifestDependency dependency{service, {}, pointer, {}};
        std::vector<ValueReader> entries;
        if (ranges.json().is_array()) {
          entries = ranges.as_array();
        } else {
          entries.push_back(ranges);
        }
        for (const auto& entry : entries) {
          const std::string range_text = entry.as_string();
          std::string error;
          auto range = VersionRange::parse(range_text, error);
          dependency.compatible.push_back(range_text);
          if (range) dependency.ranges.push_back(std::move(*range));
        }
        workload.depends_on.push_back(std::move(dependency));
      }
    } else if (name == "ignore") {
      const nlohmann::json ignores = annotation_json(metadata, key, text);
      for (auto& [rule, reason] : ObjectReader(ignores, metadata.file(), pointer).members()) {
        workload.ignore.emplace(rule, reason.as_string());
      }
    } else if (name.rfind("meaning.", 0) == 0 || name == "flags") {
      unknown_annotation(metadata, key, {},
                         "flags and their meanings are annotations of the flags' ConfigMap");
    } else {
      unknown_annotation(
          metadata, key,
          {"service", "version-label", "container", "versions", "depends-on", "ignore"},
          "see docs/checker-kubernetes.md");
    }
  }
}

void ManifestReader::read_version(WorkloadIn& workload, const ObjectReader& object,
                                  const std::string& labels_at) {
  if (!workload.container_name.empty()) {
    const std::string& wanted = workload.container_name;
    const auto it = std::find_if(workload.containers.begin(), workload.containers.end(),
                                 [&](const ContainerIn& c) { return c.name == wanted; });
    if (it == workload.containers.end()) {
      object.fail("a container named " + quote(wanted) + " (annotation deploysim.io/container)");
    }
    workload.main = static_cast<std::size_t>(it - workload.containers.begin());
  }
  const ContainerIn& main = workload.containers[workload.main];
  const Image image = parse_image(main.image);
  workload.pinned = image.pinned;
  workload.version_pointer = main.image_pointer;
  if (!workload.version_label.empty()) {
    const auto label = workload.labels.find(workload.version_label);
    if (label == workload.labels.end()) {
      throw InputError(InputProblem{
          .file = object.file(),
          .pointer = labels_at,
          .expected = "a label " + quote(workload.version_label) + " holding the version",
          .found = "none",
          .hint = "the version label is set by deploysim.io/version-label or --version-label"});
    }
    workload.version = label->second;
    workload.version_pointer = child_pointer(labels_at, workload.version_label);
    return;
  }
  if (image.version.empty()) {
    throw InputError(InputProblem{
        .file = object.file(),
        .pointer = main.image_pointer,
        .expected = "an image with a tag or digest, such as \"name:1.4.2\" or \"name@sha256:...\"",
        .found = quote(main.image),
        .hint = "the version is read from the tag; pin the image, or name a version label "
                "(deploysim.io/version-label)"});
  }
  workload.version = image.version;
}

// The live state from `kubectl get ... -o json`.
struct PodIn {
  std::string ns;
  std::string name;
  std::string owner_kind;
  std::string owner_name;
  std::map<std::string, std::string> labels;
  std::vector<std::pair<std::string, std::string>> images;  // container name, image
  bool ready = false;
  std::string pointer;
};

struct Observed {
  std::vector<PodIn> pods;
  // namespace/name of a ReplicaSet -> its owner's name and its revision.
  std::map<std::string, std::pair<std::string, std::int64_t>> replica_sets;
  // Workloads (namespace/name) whose rollout is under way.
  std::set<std::string> progressing;
  std::map<std::string, std::int64_t> daemon_desired;
  // namespace/name of a ConfigMap -> its data.
  std::map<std::string, std::map<std::string, std::string>> config_maps;
};

std::string object_key(const nlohmann::json& metadata) {
  const auto ns = metadata.find("namespace");
  return (ns != metadata.end() && ns->is_string() ? ns->get<std::string>() : "default") + "/" +
         metadata.at("name").get<std::string>();
}

// The owner that controls an object: (kind, name), or empty.
std::pair<std::string, std::string> controller(ObjectReader& metadata) {
  for (const auto& reference : metadata.optional_array("ownerReferences")) {
    auto owner = reference.as_object();
    if (owner.boolean("controller", false)) return {owner.string("kind"), owner.string("name")};
  }
  return {};
}

bool condition_is(const nlohmann::json& status, const std::string& type,
                  const std::string& reason) {
  if (!status.is_object() || !status.contains("conditions") || !status["conditions"].is_array()) {
    return false;
  }
  for (const auto& condition : status["conditions"]) {
    if (condition.is_object() && condition.value("type", "") == type &&
        condition.value("status", "") == "True" && condition.value("reason", reason) == reason) {
      return true;
    }
  }
  return false;
}

void read_observed_item(const ValueReader& item, Observed& observed,
                        std::map<std::string, std::size_t>& skipped) {
  auto object = item.as_object();
  const std::string kind = object.string("kind");
  auto metadata = object.child("metadata");
  const std::string name = metadata.string("name");
  const std::string key = object_key(metadata.json());
  const nlohmann::json* status = object.get("status");
  const nlohmann::json empty = nlohmann::json::object();
  if (status == nullptr) status = &empty;
  if (kind == "Pod") {
    PodIn pod{metadata.string("namespace", "default"), name, {}, {}, {}, {}, false, item.pointer()};
    std::tie(pod.owner_kind, pod.owner_name) = controller(metadata);
    pod.labels = string_map(metadata.optional("labels"));
    for (const auto& container : object.child("spec").array("containers")) {
      auto c = container.as_object();
      pod.images.emplace_back(c.string("name"), c.string("image"));
    }
    pod.ready = condition_is(*status, "Ready", "");
    observed.pods.push_back(std::move(pod));
  } else if (kind == "ReplicaSet") {
    const auto [owner_kind, owner] = controller(metadata);
    const auto annotations = string_map(metadata.optional("annotations"));
    const auto revision = annotations.find("deployment.kubernetes.io/revision");
    const auto rollout = annotations.find("rollout.argoproj.io/revision");
    std::int64_t number = 0;
    for (const auto& found : {revision, rollout}) {
      if (found != annotations.end()) number = std::atoll(found->second.c_str());
    }
    observed.replica_sets[key] = {owner, number};
  } else if (kind == "Deployment") {
    // Progressing with reason ReplicaSetUpdated: pods are being replaced right now.
    if (condition_is(*status, "Progressing", "ReplicaSetUpdated")) observed.progressing.insert(key);
  } else if (kind == "Rollout") {
    const std::string phase = status->value("phase", "");
    if (phase == "Progressing" || phase == "Paused") observed.progressing.insert(key);
  } else if (kind == "StatefulSet") {
    if (status->value("currentRevision", "") != status->value("updateRevision", "")) {
      observed.progressing.insert(key);
    }
  } else if (kind == "DaemonSet") {
    observed.daemon_desired[key] = status->value("desiredNumberScheduled", std::int64_t{0});
  } else if (kind == "ConfigMap") {
    observed.config_maps[key] = string_map(object.optional("data"));
  } else {
    ++skipped[kind];
  }
}

}  // namespace

InputError located_in(const InputError& error, const NamedText& input) {
  const PositionIndex positions(input.text);
  std::vector<InputProblem> problems = error.problems();
  for (auto& problem : problems) {
    if (problem.line != 0 || problem.file != input.file) continue;
    const TextRange at = positions.find(problem.pointer);
    problem.line = at.start.line;
    problem.column = at.start.column;
  }
  return InputError(std::move(problems));
}

namespace {

// Counts the elements of the top-level "items" array without building anything, and stops
// at `limit`; malformed text is left for the strict parser to report.
class ItemCounter : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ItemCounter(std::size_t limit) : limit_(limit) {}
  std::size_t items() const { return items_; }

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t& key) override {
    in_items_key_ = depth_ == 1 && key == "items";
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // A value directly inside the top-level "items" array is one item.
  bool value() {
    if (depth_ == 2 && items_array_) ++items_;
    return items_ <= limit_;
  }
  bool open() {
    if (!value()) return false;
    if (depth_ == 1) items_array_ = in_items_key_;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::size_t limit_;
  std::size_t items_ = 0;
  std::size_t depth_ = 0;
  bool in_items_key_ = false;
  bool items_array_ = false;
};

[[noreturn]] void refuse_items(const NamedText& input, const KubernetesOptions& options,
                               const std::string& found) {
  const nlohmann::json items = nlohmann::json::array();
  InputError error(
      ValueReader(items, input.file, "/items")
          .problem("at most " + std::to_string(options.max_observed_items) + " objects in one List",
                   "check one namespace or label selector at a time"));
  std::vector<InputProblem> problems = error.problems();
  problems.front().found = found;
  throw located_in(InputError(std::move(problems)), input);
}

// `kubectl get -o yaml` is as common as `-o json`: a List that does not start as JSON does is
// read as YAML (one document), whose reader bounds the values a document may hold.
std::optional<input::YamlDocument> observed_yaml(const NamedText& input) {
  const std::size_t first = input.text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || input.text[first] == '{' || input.text[first] == '[') {
    return std::nullopt;
  }
  std::vector<input::YamlDocument> documents = input::parse_yaml_documents(input.text, input.file);
  if (documents.size() != 1) {
    throw InputError(InputProblem{
        .file = input.file,
        .expected = "one List, what `kubectl get pods,replicasets,deployments -o yaml` prints",
        .found = std::to_string(documents.size()) + " YAML documents",
        .line = 1,
        .column = 1});
  }
  return std::move(documents.front());
}

Observed read_observed(const NamedText& input, const KubernetesOptions& options,
                       std::map<std::string, std::size_t>& skipped) {
  const std::optional<input::YamlDocument> yaml = observed_yaml(input);
  if (!yaml && input.text.size() > options.count_items_above_bytes) {
    ItemCounter counter(options.max_observed_items);
    nlohmann::json::sax_parse(input.text, &counter);
    if (counter.items() > options.max_observed_items) {
      refuse_items(input, options, "more than that");
    }
  }
  const nlohmann::json parsed =
      yaml ? nlohmann::json() : input::parse_json_text(input.text, input.file);
  const nlohmann::json& document = yaml ? yaml->value : parsed;
  Observed observed;
  try {
    ObjectReader root(document, input.file, "");
    const auto kind = root.value("kind");
    const std::string kind_name = kind.as_string();
    if (kind_name.size() < 4 || kind_name.compare(kind_name.size() - 4, 4, "List") != 0) {
      kind.fail("\"List\", what `kubectl get pods,replicasets,deployments -o json` prints");
    }
    const auto items = root.array("items");
    if (items.empty()) {
      root.value("items").fail("at least one object",
                               "an empty List checks nothing: is the namespace or context right?");
    }
    if (items.size() > options.max_observed_items) {
      root.value("items").fail(
          "at most " + std::to_string(options.max_observed_items) + " objects in one List",
          "check one namespace or label selector at a time");
    }
    for (const auto& item : items) read_observed_item(item, observed, skipped);
  } catch (const InputError& error) {
    // Positions in the List are found only when there is a problem to show.
    if (yaml) rethrow_located(error, Source{&*yaml, input.file});
    throw located_in(error, input);
  }
  return observed;
}

// The workload a pod belongs to, or "" for one the manifests do not declare.
std::string workload_of(const PodIn& pod, const Observed& observed,
                        const std::unordered_map<std::string, std::size_t>& groups,
                        const std::string& file) {
  const std::string prefix = pod.ns + "/";
  if (pod.owner_kind.empty()) {
    if (groups.count(prefix + pod.name) > 0) return prefix + pod.name;
    throw InputError(InputProblem{
        .file = file,
        .pointer = child_pointer(pod.pointer, "metadata"),
        .expected = "ownerReferences naming the workload that runs pod " + quote(pod.name) +
                    ", or a Pod of that name in the manifests",
        .found = "no owner",
        .hint = "a pod made by hand is checked when the manifests declare it as a Pod"});
  }
  if (pod.owner_kind != "ReplicaSet") return prefix + pod.owner_name;
  const std::string replica_set = prefix + pod.owner_name;
  if (const auto rs = observed.replica_sets.find(replica_set);
      rs != observed.replica_sets.end() && !rs->second.first.empty()) {
    return prefix + rs->second.first;
  }
  // Without the ReplicaSet in the List, its name is the owner's and the pod template hash.
  if (const auto hash = pod.labels.find("pod-template-hash"); hash != pod.labels.end()) {
    const std::string suffix = "-" + hash->second;
    const std::string& owner = pod.owner_name;
    if (owner.size() > suffix.size() &&
        owner.compare(owner.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        groups.count(prefix + owner.substr(0, owner.size() - suffix.size())) > 0) {
      return prefix + owner.substr(0, owner.size() - suffix.size());
    }
  }
  return replica_set;
}

// Builds the Manifest (and Inventory) the rules read from what the readers found.
class Assembler {
 public:
  Assembler(KubernetesInput& out, std::vector<WorkloadIn>& workloads,
            std::vector<ConfigMapIn>& config_maps)
      : out_(out),
        workloads_(workloads),
        config_maps_(config_maps),
        sources_(std::make_shared<SourceMap>()) {}

  void build(const std::optional<Observed>& observed, const std::string& observed_file) {
    Manifest& manifest = out_.manifest;
    manifest.kind = InputKind::kubernetes;
    for (std::size_t w = 0; w < workloads_.size(); ++w) add_group(w);
    add_services();
    add_flags();
    add_rollout();
    if (observed) {
      add_pods(*observed, observed_file);
    } else {
      for (std::size_t w = 0; w < workloads_.size(); ++w) add_declared_hosts(w);
    }
    manifest.sources = sources_;
    if (out_.inventory) out_.inventory->sources = sources_;
  }

 private:
  std::string group_pointer(std::size_t w) const {
    return child_pointer("/groups", workloads_[w].group);
  }

  void add_group(std::size_t w) {
    const WorkloadIn& in = workloads_[w];
    Manifest& manifest = out_.manifest;
    if (!group_index_.emplace(in.group, manifest.groups.size()).second) {
      throw InputError(InputProblem{
          .file = in.source.file,
          .detail = in.kind + " " + quote(in.group) + " is declared twice in the manifests",
          .line = in.source.spot(in.metadata_pointer).range.start.line,
          .column = 1});
    }
    ManifestGroup group;
    group.name = in.group;
    group.service = in.service;
    group.version = in.version;
    group.pointer = group_pointer(w);
    const SourceSpot image = in.source.spot(in.version_pointer);
    // Without a replicas key (a DaemonSet, the default of 1), the workload's image stands for it.
    const SourceSpot replicas = in.source.spot(
        in.replicas_pointer.empty() ? in.containers[in.main].image_pointer : in.replicas_pointer);
    sources_->add(group.pointer, in.source.spot(child_pointer(in.metadata_pointer, "name")));
    sources_->add(child_pointer(group.pointer, "version"), image);
    sources_->add(child_pointer(group.pointer, "hosts"), replicas);
    sources_->add(child_pointer(group.pointer, "replicas"), replicas);
    sources_->add(child_pointer(group.pointer, "pods"), image);
    sources_->add(child_pointer(group.pointer, "x-deploysim-ignore"),
                  in.source.spot(child_pointer(in.metadata_pointer, "annotations")));
    WorkloadFacts facts;
    facts.group = manifest.groups.size();
    facts.kind = in.kind;
    facts.desired = in.replicas;
    facts.gates_on_readiness = in.gates_on_readiness;
    facts.main = in.main;
    facts.replicas_pointer = child_pointer(group.pointer, "replicas");
    facts.ignore = in.ignore;
    for (std::size_t c = 0; c < in.containers.size(); ++c) {
      const ContainerIn& container = in.containers[c];
      const std::string pointer = child_pointer(child_pointer(group.pointer, "containers"), c);
      sources_->add(pointer, in.source.spot(container.image_pointer));
      facts.containers.push_back({container.name, container.image,
                                  parse_image(container.image).pinned, container.readiness_probe,
                                  pointer});
    }
    manifest.groups.push_back(std::move(group));
    manifest.workloads.push_back(std::move(facts));
  }

  // A service's versions: those its workloads declare flags for, and those they run.
  void add_services() {
    Manifest& manifest = out_.manifest;
    std::map<std::string, std::size_t> index;
    for (const WorkloadIn& in : workloads_) {
      auto [it, fresh] = index.try_emplace(in.service, manifest.services.size());
      if (fresh) {
        ManifestService service;
        service.name = in.service;
        service.pointer = child_pointer("/services", in.service);
        sources_->add(service.pointer, in.source.spot(child_pointer(in.metadata_pointer, "name")));
        manifest.services.push_back(std::move(service));
      }
      ManifestService& service = manifest.services[it->second];
      for (const auto& [version, flags] : in.version_flags) {
        add_version(service, version, flags, in, in.source.spot(in.versions_pointer));
      }
      add_version(service, in.version, {}, in, in.source.spot(in.version_pointer));
      for (const auto& dependency : in.depends_on) {
        const bool known = std::any_of(
            service.depends_on.begin(), service.depends_on.end(),
            [&](const ManifestDependency& d) { return d.service == dependency.service; });
        if (known) continue;
        ManifestDependency copy = dependency;
        copy.pointer = child_pointer(child_pointer(service.pointer, "depends_on"), copy.service);
        sources_->add(copy.pointer, in.source.spot(dependency.pointer));
        service.depends_on.push_back(std::move(copy));
      }
    }
  }

  void add_version(ManifestService& service, const std::string& name,
                   const std::map<std::string, std::string>& flags, const WorkloadIn& in,
                   const SourceSpot& spot) {
    (void)in;
    for (auto& version : service.versions) {
      if (version.name != name) continue;
      version.flags.insert(flags.begin(), flags.end());
      return;
    }
    ManifestVersion version{name, flags,
                            child_pointer(child_pointer(service.pointer, "versions"), name)};
    sources_->add(version.pointer, spot);
    service.versions.push_back(std::move(version));
  }

  // A ConfigMap key listed as a flag, scoped to the workloads that read it.
  void add_flags() {
    for (const ConfigMapIn& map : config_maps_) {
      for (const std::string& key : map.flags) {
        ManifestFlag flag;
        flag.name = key;
        flag.on = flag_value_on(map.data.at(key));
        if (const auto meaning = map.meanings.find(key); meaning != map.meanings.end()) {
          flag.meaning = meaning->second;
        }
        for (const WorkloadIn& in : workloads_) {
          if (in.ns != map.ns) continue;
          if (in.config_maps.count(map.name) > 0 || in.config_keys.count({map.name, key}) > 0) {
            flag.scope.push_back(in.group);
          }
        }
        // A flag no container reads cannot be misread; an empty scope would mean everywhere.
        if (flag.scope.empty()) continue;
        flag.pointer = child_pointer("/flags", map.ns + "/" + map.name + "/" + key);
        sources_->add(flag.pointer, map.source.spot(child_pointer("/data", key)));
        out_.manifest.flags.push_back(std::move(flag));
        flag_maps_.push_back(map.ns + "/" + map.name);
      }
    }
  }

  void add_host(std::size_t group, std::string name, std::string version, std::string stable_id) {
    Manifest& manifest = out_.manifest;
    ManifestHost host;
    host.name = std::move(name);
    host.group = group;
    host.version = std::move(version);
    host.pointer = child_pointer(manifest.groups[group].pointer, "hosts");
    host.stable_id = std::move(stable_id);
    manifest.groups[group].hosts.push_back(manifest.hosts.size());
    manifest.hosts.push_back(std::move(host));
  }

  // Without a live state the hosts are the declared replicas.
  void add_declared_hosts(std::size_t w) {
    const WorkloadIn& in = workloads_[w];
    const std::int64_t count = in.kind == "DaemonSet" ? 1 : in.replicas;
    for (std::int64_t i = 0; i < count; ++i) {
      add_host(w, in.group + "#" + std::to_string(i), in.version, in.group + "@" + in.version);
    }
  }

  void add_pods(const Observed& observed, const std::string& file);

  // The first Argo Rollout with canary steps becomes the rollout plan: a stage per setWeight,
  // holding the pods that weight adds, so that the rollout-plan rules judge its gates and the
  // size of its canary.
  void add_rollout() {
    const auto found = std::find_if(workloads_.begin(), workloads_.end(),
                                    [](const WorkloadIn& in) { return !in.canary_steps.empty(); });
    if (found == workloads_.end()) return;
    const WorkloadIn& in = *found;
    Rollout rollout;
    rollout.service = in.service;
    rollout.to = in.version;
    rollout.pointer = "/rollout";
    sources_->add(rollout.pointer, in.source.spot(child_pointer(in.metadata_pointer, "name")));
    std::int64_t placed = 0;
    for (std::size_t i = 0; i < in.canary_steps.size(); ++i) {
      const auto& step = in.canary_steps[i];
      RolloutStage stage;
      stage.name = "setWeight " + std::to_string(step.weight) + " (step " +
                   step.pointer.substr(step.pointer.rfind('/') + 1) + ")";
      stage.pointer = child_pointer(child_pointer("/rollout", "stages"), i);
      sources_->add(stage.pointer, in.source.spot(step.pointer));
      stage.canary = i == 0;
      stage.health_gate = !step.gate.empty()       ? step.gate
                          : in.background_analysis ? "background analysis"
                                                   : "";
      // Argo aborts to the stable ReplicaSet by itself when an analysis fails, and on
      // `kubectl argo rollouts abort` at any step.
      stage.rollback = "abort";
      const std::int64_t target = (step.weight * in.replicas + 99) / 100;
      for (; placed < target; ++placed) {
        stage.hosts.push_back(in.group + "#" + std::to_string(placed));
        stage.host_pointers.push_back(stage.pointer);
      }
      rollout.stages.push_back(std::move(stage));
    }
    out_.manifest.rollout = std::move(rollout);
  }

  KubernetesInput& out_;
  std::vector<WorkloadIn>& workloads_;
  std::vector<ConfigMapIn>& config_maps_;
  std::shared_ptr<SourceMap> sources_;
  std::unordered_map<std::string, std::size_t> group_index_;
  // The ConfigMap (namespace/name) of each flag of the manifest.
  std::vector<std::string> flag_maps_;
};

std::string pod_version(const PodIn& pod, const WorkloadIn& in) {
  if (!in.version_label.empty()) {
    const auto label = pod.labels.find(in.version_label);
    return label == pod.labels.end() ? std::string{} : label->second;
  }
  const std::string& wanted = in.containers[in.main].name;
  for (const auto& [name, image] : pod.images) {
    if (name != wanted) continue;
    const Image parsed = parse_image(image);
    // An untagged image runs what "latest" pointed at when the pod started.
    return parsed.version.empty() ? "latest" : parsed.version;
  }
  return {};
}

void Assembler::add_pods(const Observed& observed, const std::string& file) {
  Manifest& manifest = out_.manifest;
  Inventory inventory;
  inventory.file = file;
  std::vector<std::int64_t> ready(workloads_.size(), 0);
  std::vector<std::int64_t> counted(workloads_.size(), 0);
  // The flags each workload reads, found once rather than once per pod.
  std::vector<std::vector<std::size_t>> flags_of(workloads_.size());
  for (std::size_t f = 0; f < manifest.flags.size(); ++f) {
    for (const auto& scoped : manifest.flags[f].scope)
      flags_of[group_index_.at(scoped)].push_back(f);
  }
  // The newest revision of each workload's ReplicaSets: pods on older ones are the old side of
  // a rollout.
  std::unordered_map<std::string, std::int64_t> newest;
  for (const auto& [key, rs] : observed.replica_sets) {
    const std::string owner = key.substr(0, key.find('/') + 1) + rs.first;
    newest[owner] = std::max(newest[owner], rs.second);
  }
  for (const PodIn& pod : observed.pods) {
    const std::string group = workload_of(pod, observed, group_index_, file);
    const auto found = group_index_.find(group);
    if (found == group_index_.end()) {
      ++out_.skipped["Pod (of a workload not in the manifests)"];
      continue;
    }
    const std::size_t w = found->second;
    const WorkloadIn& in = workloads_[w];
    ManifestGroup& declared = manifest.groups[w];
    const std::string version = pod_version(pod, in);
    std::string expected = in.version;
    if (observed.progressing.count(group) > 0) {
      declared.rolling_out = true;
      const auto rs = observed.replica_sets.find(pod.ns + "/" + pod.owner_name);
      const bool old = rs != observed.replica_sets.end() ? rs->second.second < newest[group]
                                                         : version != in.version;
      // The old side of a rollout under way runs the old version by design.
      if (old && !version.empty()) expected = version;
    }
    add_host(w, pod.name, expected, group + "@" + (version.empty() ? expected : version));
    ObservedHost host;
    host.name = pod.name;
    host.version = version;
    host.pointer = child_pointer(child_pointer(declared.pointer, "pods"), pod.name);
    host.stable_id = manifest.hosts.back().stable_id;
    for (const std::size_t f : flags_of[w]) {
      const auto& flag = manifest.flags[f];
      const auto live = observed.config_maps.find(flag_maps_[f]);
      if (live == observed.config_maps.end()) continue;
      if (const auto value = live->second.find(flag.name); value != live->second.end()) {
        host.flags[flag.name] = flag_value_on(value->second);
      }
    }
    inventory.hosts.push_back(std::move(host));
    ++counted[w];
    if (pod.ready) ++ready[w];
  }
  for (std::size_t w = 0; w < workloads_.size(); ++w) {
    auto& facts = manifest.workloads[w];
    if (workloads_[w].kind == "DaemonSet") {
      const auto desired = observed.daemon_desired.find(workloads_[w].group);
      facts.desired = desired != observed.daemon_desired.end() ? desired->second : counted[w];
    }
    facts.ready = ready[w];
  }
  out_.inventory = std::move(inventory);
}

// The templates that `helm template` output names in `# Source:` comments, found from the
// current directory (where `helm template` ran, as in the CI example), and the lines of the
// rendered streams, read once each.
class HelmTemplates {
 public:
  void locate(Source& source, const std::string& rendered_text) {
    const std::string& file = source.document->source;
    if (file.empty()) return;
    auto [it, fresh] = templates_.try_emplace(file);
    if (fresh) {
      std::error_code error;
      if (std::filesystem::is_regular_file(file, error)) {
        try {
          it->second = lines(input::read_text_file(file));
        } catch (const InputError&) {
          // Unreadable: lines are counted from the `# Source:` comment instead.
        }
      }
    }
    if (!it->second) return;
    auto [rendered, new_stream] = rendered_.try_emplace(&rendered_text);
    if (new_stream) rendered->second = lines(rendered_text);
    source.rendered = &rendered->second;
    source.template_lines = &*it->second;
  }

 private:
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      out.push_back(text.substr(start, end - start));
      if (!out.back().empty() && out.back().back() == '\r') out.back().pop_back();
      start = end + 1;
    }
    return out;
  }

  std::map<std::string, std::optional<std::vector<std::string>>> templates_;
  std::map<const std::string*, std::vector<std::string>> rendered_;
};

// The resource files that `kustomize build` output names in config.kubernetes.io/origin
// annotations (`buildMetadata: [originAnnotations]` in the kustomization), read once each.
class OriginFiles {
 public:
  explicit OriginFiles(std::string root) : root_(std::move(root)) {}

  // Points `source` at the object it was built from, when the annotation names a file that is
  // found under the root and holds an object of the same kind and name.
  void locate(Source& source, KubernetesInput& out) {
    const nlohmann::json& value = source.document->value;
    const nlohmann::json* annotations = annotations_of(value);
    if (annotations == nullptr) return;
    const auto origin = annotations->find("config.kubernetes.io/origin");
    if (origin == annotations->end() || !origin->is_string()) return;
    const std::string path = origin_path(origin->get<std::string>());
    if (path.empty()) return;
    ++out.origins.annotated;
    if (root_.empty()) return;
    const std::string file =
        (std::filesystem::path(root_) / path).lexically_normal().generic_string();
    const std::vector<YamlDocument>* documents = read(file);
    if (documents == nullptr) return;
    for (const auto& candidate : *documents) {
      if (!same_object(candidate.value, value)) continue;
      source.origin = &candidate;
      source.origin_file = file;
      ++out.origins.located;
      return;
    }
  }

 private:
  static const nlohmann::json* annotations_of(const nlohmann::json& value) {
    if (!value.is_object()) return nullptr;
    const auto metadata = value.find("metadata");
    if (metadata == value.end() || !metadata->is_object()) return nullptr;
    const auto annotations = metadata->find("annotations");
    if (annotations == metadata->end() || !annotations->is_object()) return nullptr;
    return &*annotations;
  }

  // The `path:` line of the annotation's YAML (it also holds `repo:` and `ref:` for remote
  // resources, whose files are not here).
  static std::string origin_path(const std::string& text) {
    if (text.find("repo:") != std::string::npos) return {};
    const auto at = text.find("path:");
    if (at == std::string::npos || (at != 0 && text[at - 1] != '\n')) return {};
    std::string path = text.substr(at + 5, text.find('\n', at) - at - 5);
    path.erase(0, path.find_first_not_of(" \t\"'"));
    path.erase(path.find_last_not_of(" \t\r\"'") + 1);
    return path;
  }

  // The same kind, and the same name up to kustomize's namePrefix and nameSuffix.
  static bool same_object(const nlohmann::json& original, const nlohmann::json& built) {
    const auto text = [](const nlohmann::json& v, const char* a, const char* b = nullptr) {
      const nlohmann::json* at = v.is_object() && v.contains(a) ? &v.at(a) : nullptr;
      if (at != nullptr && b != nullptr)
        at = at->is_object() && at->contains(b) ? &at->at(b) : nullptr;
      return at != nullptr && at->is_string() ? at->get<std::string>() : std::string();
    };
    const std::string name = text(original, "metadata", "name");
    return !name.empty() && text(original, "kind") == text(built, "kind") &&
           text(built, "metadata", "name").find(name) != std::string::npos;
  }

  const std::vector<YamlDocument>* read(const std::string& file) {
    const auto known = files_.find(file);
    if (known != files_.end()) return known->second ? &*known->second : nullptr;
    std::optional<std::vector<YamlDocument>> documents;
    try {
      documents = input::parse_yaml_documents(input::read_text_file(file), file);
    } catch (const InputError&) {
      // An unreadable origin leaves the findings in the build output, where they also are.
    }
    const auto& kept = files_.emplace(file, std::move(documents)).first->second;
    return kept ? &*kept : nullptr;
  }

  std::string root_;
  std::map<std::string, std::optional<std::vector<YamlDocument>>> files_;
};

}  // namespace

std::vector<std::string> kubernetes_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (path == "-" || !fs::is_directory(path, error)) return {path};
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path, error)) {
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file() &&
        (extension == ".yaml" || extension == ".yml" || extension == ".json")) {
      files.push_back(entry.path().string());
    }
  }
  if (error || files.empty()) {
    throw InputError(InputProblem{.file = path,
                                  .expected = "a directory holding .yaml, .yml or .json files",
                                  .found = error ? error.message() : "none"});
  }
  std::sort(files.begin(), files.end());
  return files;
}

KubernetesInput read_kubernetes(const std::vector<NamedText>& manifests, const NamedText* observed,
                                const KubernetesOptions& options) {
  KubernetesInput out;
  // The documents stay alive while the readers point into them.
  std::vector<std::vector<YamlDocument>> streams;
  streams.reserve(manifests.size());
  for (const auto& input : manifests) {
    streams.push_back(input::parse_yaml_documents(input.text, input.file));
  }
  ManifestReader reader(out, options);
  OriginFiles origins(options.kustomize_dir);
  HelmTemplates templates;
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    for (const auto& document : streams[i]) {
      Source source{&document, manifests[i].file};
      origins.locate(source, out);
      templates.locate(source, manifests[i].text);
      reader.read_document(source);
    }
  }
  if (reader.workloads().empty()) {
    std::string found;
    for (const auto& [kind, count] : out.skipped) {
      found += (found.empty() ? "" : ", ") + std::to_string(count) + " " + kind;
    }
    throw InputError(
        InputProblem{.file = manifests.empty() ? std::string("-") : manifests.front().file,
                     .expected = "a Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod or Rollout",
                     .found = found.empty() ? "no Kubernetes object" : found,
                     .line = 1,
                     .column = 1});
  }
  out.manifest.file = manifests.front().file;
  std::optional<Observed> live;
  if (observed != nullptr) live = read_observed(*observed, options, out.skipped);
  try {
    Assembler(out, reader.workloads(), reader.config_maps())
        .build(live, observed != nullptr ? observed->file : "");
  } catch (const InputError& error) {
    if (observed == nullptr) throw;
    throw located_in(error, *observed);
  }
  return out;
}

}  // namespace deploysim::check
