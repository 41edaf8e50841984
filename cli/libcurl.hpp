#pragma once
// libcurl, loaded the first time an export talks HTTP. Linked into the executable, libcurl and
// the thirty libraries it needs (TLS, Kerberos, LDAP, ...) were loaded and relocated by every
// command, about 14 M instructions before `main`, though only `--export influx=URL` uses them.

#include <curl/curl.h>

namespace deploysim::cli {

/// The libcurl functions the CLI calls, resolved from the shared library.
struct Libcurl {
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  const char* (*url_strerror)(CURLUcode);
  void (*free)(void*);
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
};

/// libcurl, loaded and initialised (`curl_global_init`) once; throws std::runtime_error saying
/// what is missing when the library cannot be loaded.
const Libcurl& libcurl();

}  // namespace deploysim::cli
