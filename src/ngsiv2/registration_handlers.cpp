#include "ngsiv2/registration_handlers.h"

#include "federation/registry.h"
#include "ngsiv2/handler_util.h"
#include "ngsiv2/registration.h"

namespace dejima::ngsiv2 {
namespace {

using federation::RegPtr;

Error not_found_registration() { return not_found("The requested registration has not been found. Check id"); }

// A registration is seen from its own service path, or from every path when the request names
// none (or "/#").
bool visible(const RequestContext& c, const federation::Registration& r) {
  if (c.service_paths.empty() || c.service_paths.front() == "/#") return true;
  return spec_of(r).service_path == c.service_paths.front();
}

void create(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json, .parse_error = "BadRequest"}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto spec = parse_registration(c->body);
    if (!spec) return reply(error_response(*c, spec.error()));
    if (!c->service_paths.empty()) spec->service_path = c->service_paths.front();
    const std::string id = new_object_id();
    auto r = build_registration(std::make_shared<RegSpec>(std::move(*spec)), c->tenant, id, s.registration_flavor);
    if (auto st = s.registrations.create(std::move(r)); !st) return reply(error_response(*c, st.error()));
    http::Response res = empty_response(*c, 201);
    res.header("Location", "/v2/registrations/" + id);
    reply(std::move(res));
  });
}

void list(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto page = page_of(*c, s.options, false);
    if (!page) return reply(error_response(*c, page.error()));
    std::vector<RegPtr> regs = s.registrations.list(c->tenant, &s.registration_flavor);
    std::erase_if(regs, [&](const RegPtr& r) { return !visible(*c, *r); });
    std::string body = "[";
    for (size_t i = page->offset; i < regs.size() && i < page->offset + page->limit; ++i) {
      if (body.size() > 1) body += ',';
      body += render_registration(*regs[i], false);
    }
    body += ']';
    http::Response r = json_response(*c, 200, std::move(body));
    if (page->count) r.header("Fiware-Total-Count", std::to_string(regs.size()));
    reply(std::move(r));
  });
}

void retrieve(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    RegPtr r = s.registrations.find(c->tenant, p[0], &s.registration_flavor);
    if (!r || !visible(*c, *r)) return reply(error_response(*c, not_found_registration()));
    reply(json_response(*c, 200, render_registration(*r, false)));
  });
}

// Orion deletes a registration from any service path.
void remove(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (auto st = s.registrations.remove(c->tenant, p[0], &s.registration_flavor); !st)
      return reply(
          error_response(*c, st.error().kind == ErrorKind::ResourceNotFound ? not_found_registration() : st.error()));
    reply(empty_response(*c, 204));
  });
}

}  // namespace

void add_registration_routes(http::Router& r, Services& s) {
  using http::Method;
  // A registration sends the tenant's reads and writes of what it covers to its provider: making
  // or removing one is a write; seeing them is a read.
  const http::Permission read{http::Need::Read}, write{http::Need::Write};
  const std::string base = "/v2/registrations";
  r.add(Method::Post, base, write,
        [&s](const http::Request& req, const Params&, http::Reply reply) { create(req, s, std::move(reply)); });
  r.add(Method::Get, base, read,
        [&s](const http::Request& req, const Params&, http::Reply reply) { list(req, s, std::move(reply)); });
  r.add(Method::Get, base + "/{id}", read,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { retrieve(req, p, s, std::move(reply)); });
  r.add(Method::Delete, base + "/{id}", write,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { remove(req, p, s, std::move(reply)); });
}

}  // namespace dejima::ngsiv2
