#include "site/asset.h"

#include <cstdint>
#include <cstdio>

#include "site/gzip.h"

namespace dejima::site {
namespace {

// FNV-1a, 64 bits: a stable content hash for the ETag (not a security property).
std::string content_tag(std::string_view data) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool compressible(const std::string& type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("application/geo+json") || type.starts_with("application/javascript") ||
         type.starts_with("image/svg+xml") || type.starts_with("application/manifest+json") ||
         type.starts_with("application/x-protobuf") || type.starts_with("application/wasm");
}

bool names_tag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  for (std::string_view t : http::list_items(if_none_match)) {
    if (t.starts_with("W/")) t.remove_prefix(2);
    if (t == etag) return true;
  }
  return false;
}

}  // namespace

Asset make_asset(std::string body, std::string content_type, std::string cache_control) {
  Asset a{std::move(content_type), std::move(cache_control), std::move(body), {}, {}};
  a.etag = content_tag(a.body);
  if (a.body.size() > 256 && compressible(a.content_type)) {
    std::string z = gzip(a.body);
    if (!z.empty() && z.size() < a.body.size()) {
      a.gzipped = std::move(z);
      a.gzipped_etag = a.etag.substr(0, a.etag.size() - 1) + "-gz\"";
    }
  }
  return a;
}

http::Response respond(const Asset& a, const http::Request& req) {
  const bool zipped = !a.gzipped.empty() && accepts_gzip(req.header("Accept-Encoding"));
  const std::string& etag = zipped ? a.gzipped_etag : a.etag;
  http::Response r;
  r.header("ETag", etag).header("Cache-Control", a.cache_control).header("Vary", "Accept-Encoding");
  if (auto inm = req.header("If-None-Match"); !inm.empty() && names_tag(inm, etag)) {
    r.status = 304;
    return r;
  }
  r.content_type = a.content_type;
  if (zipped) r.header("Content-Encoding", "gzip");
  r.body = zipped ? a.gzipped : a.body;
  return r;
}

}  // namespace dejima::site
