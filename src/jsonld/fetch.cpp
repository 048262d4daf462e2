#include "jsonld/fetch.h"

#include <curl/curl.h>

#include <mutex>

namespace dejima::jsonld {
namespace {

struct Sink {
  std::string body;
  std::size_t max;
  bool too_big = false;
};

size_t on_data(char* ptr, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->body.size() + size * n > sink->max) {
    sink->too_big = true;
    return 0;
  }
  sink->body.append(ptr, size * n);
  return size * n;
}

}  // namespace

Result<std::string> fetch_document(const std::string& url, unsigned timeout_ms, std::size_t max_bytes) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return fail(ErrorKind::LdContextNotAvailable, "Unsupported @context URL",
                url + " (only http and https URLs can be fetched)");
  CURL* curl = curl_easy_init();
  if (!curl) return fail(ErrorKind::InternalError, "curl_easy_init failed");
  Sink sink{{}, max_bytes};
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/ld+json, application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (sink.too_big)
    return fail(ErrorKind::LdContextNotAvailable, "@context document too large",
                url + " is larger than " + std::to_string(max_bytes) + " bytes");
  if (rc != CURLE_OK)
    return fail(ErrorKind::LdContextNotAvailable, "@context not available",
                url + ": " + curl_easy_strerror(rc));
  if (status < 200 || status >= 300)
    return fail(ErrorKind::LdContextNotAvailable, "@context not available",
                url + " answered HTTP " + std::to_string(status));
  return std::move(sink.body);
}

}  // namespace dejima::jsonld
