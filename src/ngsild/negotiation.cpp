#include "ngsild/negotiation.h"

#include <cstdlib>

#include "http/message.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view media_type_name(MediaType m) {
  switch (m) {
    case MediaType::Json: return "application/json";
    case MediaType::JsonLd: return "application/ld+json";
    case MediaType::GeoJson: return "application/geo+json";
  }
  return "application/json";
}

Result<MediaType> negotiate(std::string_view accept, Offer offer) {
  if (trim(accept).empty()) return MediaType::Json;
  std::optional<MediaType> best;
  double best_q = 0;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view range = trim(item.substr(0, semi));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      if (auto qp = params.find("q="); qp != std::string_view::npos)
        q = std::strtod(std::string(params.substr(qp + 2)).c_str(), nullptr);
    }
    std::optional<MediaType> m;
    if (http::iequals(range, "application/json") && offer.json)
      m = MediaType::Json;
    else if (http::iequals(range, "application/ld+json") && offer.ld)
      m = MediaType::JsonLd;
    else if (http::iequals(range, "application/geo+json") && offer.geo)
      m = MediaType::GeoJson;
    else if (range == "*/*" || http::iequals(range, "application/*"))
      m = MediaType::Json;
    if (m && q > best_q) {
      best = m;
      best_q = q;
    }
  }
  if (!best)
    return fail(ErrorKind::NotAcceptable, "Not acceptable",
                std::string("this resource is available as application/json, application/ld+json") +
                    (offer.geo ? " and application/geo+json" : ""));
  return *best;
}

Result<MediaType> content_type(std::string_view header, bool merge_patch) {
  std::string_view type = trim(header.substr(0, header.find(';')));
  if (http::iequals(type, "application/json")) return MediaType::Json;
  if (http::iequals(type, "application/ld+json")) return MediaType::JsonLd;
  if (merge_patch && http::iequals(type, "application/merge-patch+json")) return MediaType::Json;
  return fail(ErrorKind::UnsupportedMediaType, "Unsupported media type",
              "Content-Type must be application/json or application/ld+json" +
                  std::string(merge_patch ? " (or application/merge-patch+json)" : "") + ", not '" +
                  std::string(header) + "'");
}

Result<std::string> context_link(std::string_view header) {
  header = trim(header);
  if (header.empty()) return std::string();
  // <url>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"
  while (!header.empty()) {
    if (header.front() != '<') break;
    size_t close = header.find('>');
    if (close == std::string_view::npos) break;
    std::string_view url = header.substr(1, close - 1);
    size_t next = header.find(",", close);
    std::string_view params =
        header.substr(close + 1, next == std::string_view::npos ? std::string_view::npos : next - close - 1);
    if (params.find("http://www.w3.org/ns/json-ld#context") != std::string_view::npos) {
      if (!is_absolute_uri(url))
        return fail(ErrorKind::BadRequestData, "Invalid Link header", "the @context URL is not a URI");
      return std::string(url);
    }
    if (next == std::string_view::npos) break;
    header = trim(header.substr(next + 1));
  }
  return fail(ErrorKind::BadRequestData, "Invalid Link header",
              "expected <URL>; rel=\"http://www.w3.org/ns/json-ld#context\"");
}

std::string link_header_value(std::string_view url) {
  return "<" + std::string(url) + R"(>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json")";
}

}  // namespace dejima::ngsild
