#include "export_targets.hpp"

#include <sstream>
#include <stdexcept>

#include "input/utf8.hpp"
#include "io/metrics_export.hpp"
#include "io/notification_log.hpp"
#include "libcurl.hpp"

namespace deploysim::cli {

namespace {

bool is_url(const std::string& text) {
  return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
}

// Owns a parsed URL handle.
struct UrlHandle {
  const Libcurl& curl = libcurl();
  CURLU* handle = curl.url();
  ~UrlHandle() { curl.url_cleanup(handle); }
  UrlHandle() = default;
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;
  std::string part(CURLUPart which) const {
    char* text = nullptr;
    if (curl.url_get(handle, which, &text, 0) != CURLUE_OK) return {};
    std::string out = text;
    curl.free(text);
    return out;
  }
};

std::size_t keep_reply(char* data, std::size_t size, std::size_t count, void* reply) {
  static_cast<std::string*>(reply)->append(data, size * count);
  return size * count;
}

ExportTarget open_target(const std::string& spec) {
  const auto equals = spec.find('=');
  const std::string kind = spec.substr(0, equals);
  const std::string dest = equals == std::string::npos ? "" : spec.substr(equals + 1);
  if (equals == std::string::npos || dest.empty() || (kind != "influx" && kind != "openmetrics")) {
    throw std::runtime_error("--export " + spec +
                             ": expected influx=URL, influx=FILE or openmetrics=FILE");
  }
  // "ftp://host/x" is a URL of a kind the exports do not speak, not a file name.
  if (!is_url(dest) && dest.find("://") != std::string::npos) {
    throw std::runtime_error("--export " + spec +
                             ": expected an http:// or https:// URL or a file");
  }
  if (kind == "influx" && is_url(dest)) {
    return {ExportTarget::Kind::influx_http, influx_write_url(dest), nullptr};
  }
  if (is_url(dest)) {
    throw std::runtime_error("--export " + spec +
                             ": OpenMetrics goes to a file (backfill it with promtool)");
  }
  std::shared_ptr<io::OutputFile> file;
  try {
    file = std::make_shared<io::OutputFile>(dest);
  } catch (const io::OutputError& error) {
    throw std::runtime_error("--export " + spec + ": " + error.what());
  }
  return {kind == "influx" ? ExportTarget::Kind::influx_file : ExportTarget::Kind::openmetrics_file,
          dest, std::move(file)};
}

}  // namespace

std::string influx_write_url(const std::string& url) {
  UrlHandle parsed;
  const CURLUcode code = parsed.curl.url_set(parsed.handle, CURLUPART_URL, url.c_str(), 0);
  if (code != CURLUE_OK) {
    throw std::runtime_error("--export influx=" + url + ": not a URL (" +
                             parsed.curl.url_strerror(code) +
                             "); expected http://HOST:PORT[/write?db=NAME]");
  }
  const std::string scheme = parsed.part(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") {
    throw std::runtime_error("--export influx=" + url + ": expected an http:// or https:// URL");
  }
  const std::string path = parsed.part(CURLUPART_PATH);
  if (path.empty() || path == "/") {
    parsed.curl.url_set(parsed.handle, CURLUPART_PATH, "/write", 0);
  } else if (path != "/write") {
    throw std::runtime_error("--export influx=" + url + ": path " + path +
                             ": expected /write (InfluxDB 1.x), e.g. " +
                             "http://127.0.0.1:8086/write?db=deploysim");
  }
  if (parsed.part(CURLUPART_QUERY).empty()) {
    parsed.curl.url_set(parsed.handle, CURLUPART_QUERY, "db=deploysim", 0);
  }
  return parsed.part(CURLUPART_URL);
}

void post_line_protocol(const std::string& url, const std::string& body) {
  const Libcurl& lib = libcurl();
  CURL* curl = lib.easy_init();
  if (curl == nullptr) throw std::runtime_error(url + ": cannot start the HTTP client");
  std::string reply;
  char reason[CURL_ERROR_SIZE] = {};
  lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
  lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_reply);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, reason);
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = lib.easy_perform(curl);
  long status = 0;
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  lib.easy_cleanup(curl);
  if (code != CURLE_OK) {
    throw std::runtime_error(url + ": " + (reason[0] ? reason : lib.easy_strerror(code)));
  }
  if (status < 200 || status >= 300) {
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
    throw std::runtime_error(url + ": the server answered HTTP " + std::to_string(status) +
                             (reply.empty() ? "" : ": " + reply));
  }
}

ExportTarget open_notification_log(const std::string& file) {
  std::shared_ptr<io::OutputFile> out;
  try {
    out = std::make_shared<io::OutputFile>(file);
  } catch (const io::OutputError& error) {
    throw std::runtime_error(std::string("--notifications ") + error.what());
  }
  const bool json = file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0;
  return {json ? ExportTarget::Kind::notifications_json : ExportTarget::Kind::notifications_text,
          file, std::move(out)};
}

std::vector<ExportTarget> open_export_targets(const std::vector<std::string>& specs) {
  std::vector<ExportTarget> targets;
  for (const auto& spec : specs) targets.push_back(open_target(spec));
  return targets;
}

std::vector<std::string> export_run(std::vector<ExportTarget>& targets,
                                    const spec::Scenario& scenario,
                                    const simulation::Result& result,
                                    const std::vector<engine::TraceRecord>* host_records) {
  const io::ExportContent content{host_records};
  std::vector<std::string> errors;
  for (auto& target : targets) {
    if (target.kind == ExportTarget::Kind::influx_http) {
      std::ostringstream body;
      io::write_line_protocol(body, scenario, result, content);
      try {
        post_line_protocol(target.destination, body.str());
      } catch (const std::exception& error) {
        errors.emplace_back(error.what());
      }
      continue;
    }
    auto& out = target.file->stream();
    switch (target.kind) {
      case ExportTarget::Kind::influx_file:
        io::write_line_protocol(out, scenario, result, content);
        break;
      case ExportTarget::Kind::openmetrics_file:
        io::write_openmetrics(out, scenario, result, content);
        break;
      case ExportTarget::Kind::notifications_text:
        io::write_notification_log(out, scenario, io::notifications(scenario, result.story));
        break;
      default:
        out << input::dump_json(
                   io::notifications_to_json(scenario, io::notifications(scenario, result.story)),
                   2)
            << '\n';
    }
    try {
      target.file->commit();
    } catch (const io::OutputError& error) {
      errors.emplace_back(error.what());
    }
  }
  return errors;
}

}  // namespace deploysim::cli
