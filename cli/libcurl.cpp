#include "libcurl.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace deploysim::cli {

namespace {

// The soname of libcurl's ABI 4, which every libcurl since 7.16 keeps.
constexpr const char* kLibrary = "libcurl.so.4";

template <typename Function>
void resolve(void* library, const char* name, Function& function) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw std::runtime_error(std::string(kLibrary) + " has no " + name +
                             " (exporting to InfluxDB needs libcurl 7.80 or later)");
  }
  function = reinterpret_cast<Function>(symbol);
}

Libcurl load() {
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    throw std::runtime_error(std::string("cannot load libcurl, needed to export to InfluxDB: ") +
                             (reason != nullptr ? reason : kLibrary));
  }
  Libcurl curl{};
  resolve(library, "curl_url", curl.url);
  resolve(library, "curl_url_cleanup", curl.url_cleanup);
  resolve(library, "curl_url_get", curl.url_get);
  resolve(library, "curl_url_set", curl.url_set);
  resolve(library, "curl_url_strerror", curl.url_strerror);
  resolve(library, "curl_free", curl.free);
  resolve(library, "curl_global_init", curl.global_init);
  resolve(library, "curl_easy_init", curl.easy_init);
  resolve(library, "curl_easy_setopt", curl.easy_setopt);
  resolve(library, "curl_easy_perform", curl.easy_perform);
  resolve(library, "curl_easy_getinfo", curl.easy_getinfo);
  resolve(library, "curl_easy_cleanup", curl.easy_cleanup);
  resolve(library, "curl_easy_strerror", curl.easy_strerror);
  // Once per process, before any other call, as libcurl asks; the library stays loaded.
  if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl: curl_global_init failed");
  }
  return curl;
}

}  // namespace

const Libcurl& libcurl() {
  static const Libcurl loaded = load();
  return loaded;
}

}  // namespace deploysim::cli
