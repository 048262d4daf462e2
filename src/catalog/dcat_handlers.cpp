// GET /catalog: the caller's datasets as DCAT-AP (dcat.h), JSON-LD (application/ld+json, the
// default; application/json too) or Turtle (text/turtle), by Accept or ?format=jsonld|ttl;
// ?page (from 1) and ?pageSize (1–1000, default 100).
#include <charconv>

#include "catalog/dcat.h"
#include "catalog/routes.h"
#include "http/problem.h"

namespace dejima::catalog {
namespace {

Result<size_t> number(const http::Request& req, std::string_view name, size_t fallback, size_t min, size_t max) {
  const std::string* v = req.param(name);
  if (!v) return fallback;
  size_t x = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size() || x < min || x > max)
    return fail(ErrorKind::BadRequestData, "Invalid " + std::string(name),
                std::string(name) + " is a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return x;
}

// "ttl" or "jsonld" from ?format, else from Accept; NotAcceptable for neither.
Result<std::string> negotiated(const http::Request& req) {
  if (const std::string* f = req.param("format")) {
    if (*f == "ttl" || *f == "turtle") return std::string("ttl");
    if (*f == "jsonld" || *f == "json-ld" || *f == "json") return std::string("jsonld");
    return fail(ErrorKind::BadRequestData, "Invalid format", "format is jsonld or ttl");
  }
  const std::string_view accept = req.header("Accept");
  if (accept.empty() || accept.find("application/ld+json") != std::string_view::npos ||
      accept.find("application/json") != std::string_view::npos || accept.find("*/*") != std::string_view::npos ||
      accept.find("application/*") != std::string_view::npos)
    return accept.find("text/turtle") != std::string_view::npos &&
                   accept.find("text/turtle") < accept.find("application/")
               ? std::string("ttl")
               : std::string("jsonld");
  if (accept.find("text/turtle") != std::string_view::npos || accept.find("text/*") != std::string_view::npos)
    return std::string("ttl");
  return fail(ErrorKind::NotAcceptable, "Not acceptable", "the catalog is application/ld+json or text/turtle");
}

}  // namespace

void add_dcat_routes(http::Router& r, const Services& s) {
  r.add(http::Method::Get, "/catalog", {http::Need::Open},
        [s](const http::Request& req, const std::vector<std::string>&, http::Reply reply) {
    auto format = negotiated(req);
    if (!format) return reply(http::problem(format.error()));
    auto page = number(req, "page", 1, 1, SIZE_MAX / 2000);
    if (!page) return reply(http::problem(page.error()));
    auto size = number(req, "pageSize", 100, 1, 1000);
    if (!size) return reply(http::problem(size.error()));
    const Graph g = dcat_graph(s.catalog.list(req), {*page, *size}, Links::of(req, s.public_url));
    http::Response resp;
    resp.status = 200;
    if (*format == "ttl") {
      resp.content_type = "text/turtle; charset=utf-8";
      resp.body = g.turtle();
    } else {
      resp.content_type = "application/ld+json";
      resp.body = g.jsonld();
    }
    resp.header("Vary", "Accept");
    reply(std::move(resp));
  });
}

}  // namespace dejima::catalog
