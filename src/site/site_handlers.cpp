#include "site/site_handlers.h"

#include "http/problem.h"
#include "jsonld/context.h"
#include "util/json.h"

namespace dejima::site {
namespace {

using http::Method;
using http::Need;
using Params = std::vector<std::string>;

// Event streams open at once, beyond which /dejima/v1/events answers 503 (each holds a socket).
constexpr size_t kMaxLiveClients = 1000;

// The app's pages load nothing from elsewhere but a configured base map's tiles and the
// pictures that entities link to; MapLibre runs its workers from blob: URLs.
std::string content_security_policy(const Site& site) {
  return std::string("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; ") +
         "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'" +
         (site.map_style.empty()                ? ""
          : site.map_style.starts_with("http:") ? " http: https:"
                                                : " https:") +
         "; worker-src 'self' blob:; child-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action "
         "'self'";
}

std::vector<std::string> expanded_list(std::string_view csv) {
  std::vector<std::string> out;
  for (std::string_view t : http::list_items(csv)) out.push_back(jsonld::Context::core()->expand(t));
  return out;
}

void serve_file(const Site& site, const std::string& csp, const http::Request& req, http::Reply reply) {
  if (!site.files)
    return reply(http::problem({ErrorKind::ResourceNotFound, "The web app is not built",
                                site.files_error + " (bash scripts/start.sh builds it, with npm)"}));
  const Asset* a = site.files->find(req.path);
  if (!a) return reply(http::problem({ErrorKind::ResourceNotFound, "No such file", std::string(req.path)}));
  http::Response r = respond(*a, req);
  r.header("X-Content-Type-Options", "nosniff");
  if (a->content_type.starts_with("text/html"))
    r.header("Content-Security-Policy", csp).header("Referrer-Policy", "same-origin");
  reply(std::move(r));
}

void serve_events(const Site& site, const http::Request& req, http::Reply reply) {
  if (site.live->clients() >= kMaxLiveClients)
    return reply(http::problem(
        {ErrorKind::ServiceUnavailable, "Too many live clients",
         "the server keeps at most " + std::to_string(kMaxLiveClients) + " event streams open; try again later"}));
  Watch w;
  if (const auto* t = req.param("tenant"); t && *t != "default") w.tenant = *t;  // "default": as the gate reads it
  const std::string* types = req.param("types");
  if (!types) types = req.param("type");
  if (types) w.types = expanded_list(*types);
  if (!req.grant.all_types) {
    w.readable.emplace();
    for (const auto& t : req.grant.types) w.readable->push_back(jsonld::Context::core()->expand(t));
  }
  std::string last(req.header("Last-Event-ID"));
  if (const auto* q = req.param("lastEventId"); q && last.empty()) last = *q;
  http::Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.header("Cache-Control", "no-store").header("X-Accel-Buffering", "no");
  r.stream = [live = site.live, w = std::move(w), last = std::move(last)](std::shared_ptr<http::StreamSink> sink) {
    live->attach(std::move(sink), w, last);
  };
  reply(std::move(r));
}

}  // namespace

void add_site_routes(http::Router& r, const Site& site) {
  r.add(Method::Get, "/dejima/v1/map/boundaries", {Need::Open},
        [&site](const http::Request& req, const Params&, http::Reply reply) {
    if (!site.boundaries)
      return reply(http::problem({ErrorKind::ResourceNotFound, "No boundaries layer", site.boundaries_error}));
    reply(respond(*site.boundaries, req));
  });
  r.add(Method::Get, "/dejima/v1/map/config", {Need::Open},
        [&site](const http::Request&, const Params&, http::Reply reply) {
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartObject();
                            json::write_key(w, "style");
                            if (site.map_style.empty())
                              w.Null();
                            else
                              json::write_string(w, site.map_style);
                            json::write_key(w, "boundaries");
                            w.Bool(site.boundaries.has_value());
                            w.EndObject();
                          })));
  });
  r.add(Method::Get, "/dejima/v1/events", {Need::Read, http::TenantFrom::Query},
        [&site](const http::Request& req, const Params&, http::Reply reply) { serve_events(site, req, reply); });
  r.set_fallback(
      {Need::Open}, kApiPrefixes,
      [&site, csp = content_security_policy(site)](const http::Request& req, const Params&, http::Reply reply) {
    serve_file(site, csp, req, reply);
      });
}

}  // namespace dejima::site
