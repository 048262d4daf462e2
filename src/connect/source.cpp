#include "connect/source.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fetch/http_get.h"

namespace dejima::connect {
namespace {

Status too_large(const std::string& source, size_t max_bytes) {
  return fail(ErrorKind::BadRequestData, "Source too large",
              source + ": more than " + std::to_string(max_bytes) + " bytes");
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

}  // namespace

Result<Fetched> fetch_source(const std::string& source, const SourceState& previous, long timeout_s, size_t max_bytes,
                             const Cancel* cancel) {
  if (source.starts_with("file://")) return read_file(source.substr(7), previous, max_bytes);
  if (!source.starts_with("http://") && !source.starts_with("https://")) return read_file(source, previous, max_bytes);
  fetch::Get get{.url = source,
                 .timeout_ms = timeout_s * 1000,
                 .connect_timeout_ms = 10000,
                 .max_bytes = max_bytes,
                 .decompress = true,
                 .user_agent = "dejima-connector",
                 .cancel = cancel};
  if (!previous.etag.empty()) get.headers.emplace_back("If-None-Match", previous.etag);
  if (!previous.last_modified.empty()) get.headers.emplace_back("If-Modified-Since", previous.last_modified);
  auto r = fetch::get(get);
  if (!r && r.error().kind == ErrorKind::PayloadTooLarge) return std::unexpected(too_large(source, max_bytes).error());
  if (!r && r.error().title == "Cancelled")
    return fail(ErrorKind::ServiceUnavailable, "Cancelled", source + ": the run was cancelled");
  if (!r) return fail(ErrorKind::ServiceUnavailable, "Source unreachable", r.error().detail);
  const long status = r->status;
  Fetched f{.body = std::move(r->body), .state = {std::move(r->etag), std::move(r->last_modified)}};
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
    return fail(ErrorKind::BadRequestData, "Invalid JSON",
                std::string(what) + " " + where + ": " + (err.empty() ? "not an object" : err));
  return doc;
}

}  // namespace dejima::connect
