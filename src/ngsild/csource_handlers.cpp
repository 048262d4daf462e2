#include "ngsild/csource_handlers.h"

#include "ngsild/csource_registration.h"
#include "ngsild/csource_subscription.h"
#include "ngsild/handler_util.h"
#include "ngsild/query_params.h"
#include "query/q.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using Params = std::vector<std::string>;

constexpr std::string_view kDiscoveryQueryParams[] = {"csf",       "timerel",      "timeAt",
                                                      "endTimeAt", "timeproperty", "options"};

Error not_found(const std::string& id) { return Error{ErrorKind::ResourceNotFound, "Registration not found", id}; }

Status check_registration_id(const std::string& id) {
  if (is_absolute_uri(id)) return {};
  return fail(ErrorKind::BadRequestData, "Invalid registration id", "'" + id + "' is not a URI");
}

// Creates, or replaces `before`: the exclusive rule is checked against the tenant's other
// registrations; the registration subscriptions are told.
Status keep(const federation::RegPtr& r, Services& s, const federation::Registration* before, Millis now) {
  if (auto st = check_exclusive(*r, s.registrations.list(r->tenant, &ld_flavor())); !st) return st;
  if (auto st = before ? s.registrations.replace(r) : s.registrations.create(r); !st) return st;
  s.csource_subscriptions.changed(s.subscriptions, r->tenant, before, r.get(), now);
  return {};
}

void create_registration(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true, .params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto r = parse_csource_registration(c->body, *c->context, c->now, true);
    if (!r) return reply(http::problem(r.error()));
    (*r)->tenant = c->tenant;
    const std::string id = (*r)->id;
    if (auto st = keep(*r, s, nullptr, c->now); !st) return reply(http::problem(st.error()));
    http::Response out;
    out.status = 201;
    out.header("Location", "/ngsi-ld/v1/csourceRegistrations/" + id);
    reply(std::move(out));
  });
}

Result<DiscoveryQuery> discovery_query(const RequestContext& c) {
  auto f = filter_from_params(c, false);
  if (!f) return std::unexpected(f.error());
  DiscoveryQuery q;
  q.entities = std::move(f->entities);
  q.attrs = std::move(f->attrs);
  q.q = std::move(f->q);
  q.geo = std::move(f->geo);
  if (const auto* csf = c.req.param("csf")) {
    auto e = query::parse_q(*csf, *c.context);
    if (!e) return std::unexpected(e.error());
    q.csf = std::move(*e);
  }
  auto st = set_temporal_query(q, [&](std::string_view name) { return c.req.param(name); });
  if (!st) return std::unexpected(st.error());
  if (q.entities.empty() && q.attrs.empty() && !q.q && !q.csf && !q.geo && q.timerel.empty())
    return fail(
        ErrorKind::BadRequestData, "Too broad query",
        "a discovery needs at least one of type, id, idPattern, attrs, q, csf, a geo-query or a temporal query");
  return q;
}

void query_registrations(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kSelectionParams, kPageParams, kDiscoveryQueryParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto q = discovery_query(*c);
    if (!q) return reply(http::problem(q.error()));
    auto page = page_from_params(*c, s.options);
    if (!page) return reply(http::problem(page.error()));
    const bool sys_attrs = has_option(req, "sysAttrs");
    std::vector<federation::RegPtr> matched;
    for (auto& r : s.registrations.list(c->tenant, &ld_flavor()))
      if (q->matches(*r, c->now)) matched.push_back(std::move(r));
    std::string body = "[";
    for (size_t i = page->offset; i < matched.size() && i < page->offset + page->limit; ++i) {
      if (body.size() > 1) body += ',';
      body += render_csource_registration(*matched[i], *c->context, c->accept == MediaType::JsonLd, sys_attrs);
    }
    body += ']';
    http::Response out = json_response(*c, 200, std::move(body));
    if (page->count) out.header("NGSILD-Results-Count", std::to_string(matched.size()));
    add_page_links(out, *c, *page, page->offset + page->limit < matched.size());
    reply(std::move(out));
  });
}

void get_registration(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kDiscoveryQueryParams, kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (auto st = check_registration_id(p[0]); !st) return reply(http::problem(st.error()));
    auto r = s.registrations.find(c->tenant, p[0], &ld_flavor());
    if (!r) return reply(http::problem(not_found(p[0])));
    reply(json_response(
        *c, 200,
        render_csource_registration(*r, *c->context, c->accept == MediaType::JsonLd, has_option(req, "sysAttrs"))));
  });
}

// The fragment's members replace the document's (null removes one); the result is read again
// as a whole, so a fragment that removes a mandatory member or breaks one is refused.
void update_registration(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true, .merge_patch = true, .params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (auto st = check_registration_id(id); !st) return reply(http::problem(st.error()));
    auto current = s.registrations.find(c->tenant, id, &ld_flavor());
    if (!current) return reply(http::problem(not_found(id)));
    if (!c->body.IsObject() || c->body.ObjectEmpty())
      return reply(http::problem(
          Error{ErrorKind::BadRequestData, "Invalid registration fragment", "the body must be a non-empty object"}));
    if (const auto* given = json::member(c->body, "id"); given && (!given->IsString() || json::view(*given) != id))
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid registration fragment", "id cannot be changed"}));
    json::Document merged;
    (void)json::parse_stored(
        merged, render_csource_registration(*current, *c->context, false, false));  // names as this request writes them
    auto& a = merged.GetAllocator();
    for (auto& m : c->body.GetObject()) {
      if (json::view(m.name) == "@context") continue;
      merged.RemoveMember(m.name);
      if (!m.value.IsNull()) merged.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
    }
    auto next = parse_csource_registration(merged, *c->context, c->now, c->body.HasMember("expiresAt"));
    if (!next) return reply(http::problem(next.error()));
    (*next)->tenant = c->tenant;
    auto ext = std::make_shared<LdRegistration>(ld(**next));
    ext->created_at = ld(*current).created_at;
    (*next)->state = current->state;  // how forwarding went so far
    (*next)->ext = std::move(ext);
    if (auto st = keep(*next, s, current.get(), c->now); !st) return reply(http::problem(st.error()));
    reply(no_content());
  });
}

void delete_registration(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (auto st = check_registration_id(p[0]); !st) return reply(http::problem(st.error()));
    auto gone = s.registrations.find(c->tenant, p[0], &ld_flavor());
    if (auto st = s.registrations.remove(c->tenant, p[0], &ld_flavor()); !st) return reply(http::problem(st.error()));
    if (gone) s.csource_subscriptions.changed(s.subscriptions, c->tenant, gone.get(), nullptr, c->now);
    reply(no_content());
  });
}

}  // namespace

void add_csource_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string base = "/ngsi-ld/v1/csourceRegistrations";
  r.add(Method::Post, base, {http::Need::Write},
        [&s](const http::Request& q, const Params&, http::Reply y) { create_registration(q, s, std::move(y)); });
  r.add(Method::Get, base, {http::Need::Read},
        [&s](const http::Request& q, const Params&, http::Reply y) { query_registrations(q, s, std::move(y)); });
  r.add(Method::Get, base + "/{id}", {http::Need::Read},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_registration(q, p, s, std::move(y)); });
  r.add(Method::Patch, base + "/{id}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { update_registration(q, p, s, std::move(y)); });
  r.add(Method::Delete, base + "/{id}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { delete_registration(q, p, s, std::move(y)); });
}

}  // namespace dejima::ngsild
