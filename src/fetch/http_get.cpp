#include "fetch/http_get.h"

#include <curl/curl.h>
#include <strings.h>

#include <optional>

#include "fetch/curl_global.h"
#include "fetch/egress.h"

namespace dejima::fetch {
namespace {

struct Sink {
  Response& response;
  size_t max_bytes;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->response.body.size() + size * n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  sink->response.body.append(data, size * n);
  return size * n;
}

struct HeaderSink {
  Response& response;
  const std::vector<std::string>* keep = nullptr;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto* sink = static_cast<HeaderSink*>(user);
  Response* response = &sink->response;
  auto value = [&](std::string_view name) -> std::optional<std::string> {
    if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) return std::nullopt;
    std::string_view v = line.substr(name.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    return std::string(v);
  };
  if (auto v = value("etag:")) response->etag = *v;
  if (auto v = value("last-modified:")) response->last_modified = *v;
  if (sink->keep)
    for (const std::string& name : *sink->keep)
      if (auto v = value(name + ":")) response->headers.emplace_back(name, *v);
  return size * n;
}

int on_progress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

// A GET, or a request with a body when `x` is given.
Result<Response> perform(const Get& r, const Exchange* x) {
  if (!r.url.starts_with("http://") && !r.url.starts_with("https://"))
    return fail(ErrorKind::BadRequestData, "Unsupported URL", r.url + " (only http and https URLs can be fetched)");
  EgressGuard guard{egress_policy()};
  if (auto st = guard.policy->check_host(url_host(r.url)); !st)
    return fail(ErrorKind::ServiceUnavailable, "Refused by the egress policy", r.url + ": " + st.error().detail);
  init_curl();
  CURL* curl = curl_easy_init();
  if (!curl) return fail(ErrorKind::InternalError, "curl_easy_init failed");
  Response response;
  Sink sink{response, r.max_bytes};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : r.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, x ? 0L : 1L);
  if (x) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, x->method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, x->body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(x->body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, r.timeout_ms);
  if (r.connect_timeout_ms) curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
  if (r.decompress) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  if (!r.user_agent.empty()) curl_easy_setopt(curl, CURLOPT_USERAGENT, r.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_bytes));
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  HeaderSink header_sink{response, x ? &x->keep_headers : nullptr};
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_sink);
  guard_egress(curl, guard);
  if (r.cancel) {  // curl calls this about once a second, and whenever data arrives
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, r.cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return fail(ErrorKind::PayloadTooLarge, "Too large",
                r.url + ": more than " + std::to_string(r.max_bytes) + " bytes");
  if (rc != CURLE_OK && !guard.refusal.empty())
    return fail(ErrorKind::ServiceUnavailable, "Refused by the egress policy", r.url + ": " + guard.refusal);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return fail(ErrorKind::ServiceUnavailable, "Cancelled", r.url + ": cancelled");
  if (rc != CURLE_OK) return fail(ErrorKind::ServiceUnavailable, "Unreachable", r.url + ": " + curl_easy_strerror(rc));
  return response;
}

}  // namespace

Result<Response> get(const Get& r) { return perform(r, nullptr); }

Result<Response> exchange(const Exchange& x) { return perform(x, &x); }

}  // namespace dejima::fetch
