#include "ngsiv2/subscription_handlers.h"

#include "ngsiv2/handler_util.h"
#include "ngsiv2/notification.h"
#include "ngsiv2/subscription.h"
#include "subscription/manager.h"

namespace dejima::ngsiv2 {
namespace {

using subscription::SubPtr;

const Spec& spec_of(const subscription::Subscription& s) { return static_cast<const Spec&>(*s.ext); }

Error not_found_subscription() { return not_found("The requested subscription has not been found. Check id"); }

// A subscription is seen from its own service path, or from every path when the request names none.
bool visible(const RequestContext& c, const Spec& spec) {
  if (c.service_paths.empty() || c.service_paths.front() == "/#") return true;
  return spec.service_path == c.service_paths.front();
}

// The one service path a subscription is created in ("/#" when none is given).
Result<std::string> subscription_path(const RequestContext& c) {
  if (c.service_paths.size() > 1) return std::unexpected(bad_request("max one service-path allowed for subscriptions"));
  return c.service_paths.empty() ? std::string("/#") : c.service_paths.front();
}

// The subscription a request names (else the error to answer); a read sees it only from its
// service path, a change finds it from any (and keeps its path).
Result<SubPtr> named(Services& s, const RequestContext& c, const std::string& id, bool read) {
  if (auto st = check_subscription_id(id); !st) return std::unexpected(st.error());
  SubPtr sub = s.subscriptions.find(c.tenant, id, &s.flavor);
  if (!sub || (read && !visible(c, spec_of(*sub)))) return std::unexpected(not_found_subscription());
  return sub;
}

void create(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto spec = std::make_shared<Spec>();
    if (auto st = parse_spec(c->body, *spec, false); !st) return reply(error_response(*c, st.error()));
    auto path = subscription_path(*c);
    if (!path) return reply(error_response(*c, path.error()));
    spec->service_path = *path;
    const std::string id = new_object_id();
    auto sub = build_subscription(std::move(spec), c->tenant, id, s.flavor);
    if (!sub) return reply(error_response(*c, sub.error()));
    if (auto st = s.subscriptions.create(std::move(*sub)); !st) return reply(error_response(*c, st.error()));
    http::Response r = empty_response(*c, 201);
    r.header("Location", "/v2/subscriptions/" + id);
    reply(std::move(r));
  });
}

void list(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto page = page_of(*c, s.options, false);
    if (!page) return reply(error_response(*c, page.error()));
    std::vector<SubPtr> subs = s.subscriptions.list(c->tenant, &s.flavor);
    std::erase_if(subs, [&](const SubPtr& sub) { return !visible(*c, spec_of(*sub)); });
    std::string body = "[";
    for (size_t i = page->offset; i < subs.size() && i < page->offset + page->limit; ++i) {
      if (body.size() > 1) body += ',';
      body += render_subscription(*subs[i], spec_of(*subs[i]), c->now, false);
    }
    body += ']';
    http::Response r = json_response(*c, 200, std::move(body));
    if (page->count) r.header("Fiware-Total-Count", std::to_string(subs.size()));
    reply(std::move(r));
  });
}

void retrieve(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto sub = named(s, *c, p[0], true);
    if (!sub) return reply(error_response(*c, sub.error()));
    reply(json_response(*c, 200, render_subscription(**sub, spec_of(**sub), c->now, false)));
  });
}

void update(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto current = named(s, *c, p[0], false);
    if (!current) return reply(error_response(*c, current.error()));
    auto spec = std::make_shared<Spec>(spec_of(**current));
    if (auto st = parse_spec(c->body, *spec, true); !st) return reply(error_response(*c, st.error()));
    auto sub = build_subscription(std::move(spec), c->tenant, p[0], s.flavor);
    if (!sub) return reply(error_response(*c, sub.error()));
    (*sub)->state = (*current)->state;  // the delivery state carries over
    if (c->body.HasMember("status")) {  // a status set anew (re)starts sending
      std::lock_guard lock((*sub)->state->mu);
      (*sub)->state->disabled = false;
      (*sub)->state->dirty = true;
    }
    if (auto st = s.subscriptions.replace(std::move(*sub)); !st) return reply(error_response(*c, st.error()));
    reply(empty_response(*c, 204));
  });
}

void remove(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto sub = named(s, *c, p[0], false);
    if (!sub) return reply(error_response(*c, sub.error()));
    if (auto st = s.subscriptions.remove(c->tenant, p[0], &s.flavor); !st)
      return reply(error_response(*c, not_found_subscription()));
    reply(empty_response(*c, 204));
  });
}

}  // namespace

void add_subscription_routes(http::Router& r, Services& s) {
  using http::Method;
  const http::Permission need{http::Need::Subscribe};
  const std::string base = "/v2/subscriptions";
  r.add(Method::Post, base, need,
        [&s](const http::Request& req, const Params&, http::Reply reply) { create(req, s, std::move(reply)); });
  r.add(Method::Get, base, need,
        [&s](const http::Request& req, const Params&, http::Reply reply) { list(req, s, std::move(reply)); });
  r.add(Method::Get, base + "/{id}", need,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { retrieve(req, p, s, std::move(reply)); });
  r.add(Method::Patch, base + "/{id}", need,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { update(req, p, s, std::move(reply)); });
  r.add(Method::Delete, base + "/{id}", need,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { remove(req, p, s, std::move(reply)); });
}

}  // namespace dejima::ngsiv2
