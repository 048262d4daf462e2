#include "connect/source.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <strings.h>

#include <curl/curl.h>

namespace dejima::connect {
namespace {

Status too_large(const std::string& source, size_t max_bytes) {
  return fail(ErrorKind::BadRequestData, "Source too large", source + ": more than " + std::to_string(max_bytes) + " bytes");
}

Result<Fetched> read_file(const std::string& path, const SourceState& previous, size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ErrorKind::BadRequestData, "Source not readable", path + ": " + ec.message());
  if (size > max_bytes) return std::unexpected(too_large(path, max_bytes).error());
  const auto mtime = std::filesystem::last_write_time(path, ec);
  Fetched f;
  f.state.etag = std::to_string(size) + "-" + std::to_string(mtime.time_since_epoch().count());
  if (!previous.etag.empty() && previous.etag == f.state.etag) {
    f.not_modified = true;
    return f;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::BadRequestData, "Source not readable", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  f.body = std::move(ss).str();
  return f;
}

struct Body {
  std::string& text;
  size_t max_bytes;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  if (body->text.size() + size * n > body->max_bytes) {
    body->too_large = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  body->text.append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto* state = static_cast<SourceState*>(user);
  auto value = [&](std::string_view name) -> std::optional<std::string> {
    if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) return std::nullopt;
    std::string_view v = line.substr(name.size());
    while (!v.empty() && (v.front() == ' ')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    return std::string(v);
  };
  if (auto v = value("etag:")) state->etag = *v;
  if (auto v = value("last-modified:")) state->last_modified = *v;
  return size * n;
}

}  // namespace

Result<Fetched> fetch_source(const std::string& source, const SourceState& previous, long timeout_s, size_t max_bytes,
                             const Cancel* cancel) {
  if (source.starts_with("file://")) return read_file(source.substr(7), previous, max_bytes);
  if (!source.starts_with("http://") && !source.starts_with("https://")) return read_file(source, previous, max_bytes);
  CURL* curl = curl_easy_init();
  if (!curl) return fail(ErrorKind::InternalError, "curl", "curl_easy_init failed");
  Fetched f;
  curl_slist* headers = nullptr;
  if (!previous.etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + previous.etag).c_str());
  if (!previous.last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + previous.last_modified).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, source.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "dejima-connector");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  Body body{f.body, max_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &f.state);
  if (cancel) {  // curl calls this about once a second, and whenever data arrives
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, +[](void* c, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
      return static_cast<const Cancel*>(c)->load() ? 1 : 0;
    });
  }
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) return std::unexpected(too_large(source, max_bytes).error());
  if (rc == CURLE_ABORTED_BY_CALLBACK) return fail(ErrorKind::ServiceUnavailable, "Cancelled", source + ": the run was cancelled");
  if (rc != CURLE_OK)
    return fail(ErrorKind::ServiceUnavailable, "Source unreachable", source + ": " + curl_easy_strerror(rc));
  if (status == 304) {
    f.not_modified = true;
    f.body.clear();
    f.state = previous;
    return f;
  }
  if (status < 200 || status >= 300)
    return fail(ErrorKind::ServiceUnavailable, "Source unreachable", source + ": HTTP " + std::to_string(status));
  return f;
}

std::string beside(const std::string& source, const std::string& name) {
  const size_t slash = source.rfind('/');
  return slash == std::string::npos ? name : source.substr(0, slash + 1) + name;
}

Result<json::Document> fetch_json_object(const std::string& where, const char* what) {
  auto f = fetch_source(where, {});
  if (!f) return fail(f.error().kind, f.error().title, std::string(what) + ": " + f.error().detail);
  json::Document doc;
  if (auto err = json::parse(doc, f->body); !err.empty() || !doc.IsObject())
    return fail(ErrorKind::BadRequestData, "Invalid JSON", std::string(what) + " " + where + ": " + (err.empty() ? "not an object" : err));
  return doc;
}

}  // namespace dejima::connect
