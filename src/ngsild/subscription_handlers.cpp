#include "ngsild/subscription_handlers.h"

#include "ngsild/csource_subscription.h"
#include "ngsild/handler_util.h"
#include "ngsild/query_params.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using Params = std::vector<std::string>;
using subscription::Subscription;

// The two collections of the Subscription data type: entity subscriptions, and context source
// registration subscriptions (a flavor of the Manager's, csource_subscription.h).
struct Kind {
  std::string base;                    // the collection's path
  const subscription::Flavor* flavor;  // null: entity subscriptions
};

Error not_found(const std::string& id) { return Error{ErrorKind::ResourceNotFound, "Subscription not found", id}; }

// A subscription carries its owner's rights: a caller who may read some entity types only may
// subscribe to those only — every entity selector names readable types (A, or A,B) — so that no
// notification shows what it could not read.
Status check_readable(const Subscription& sub, const RequestContext& c) {
  if (!c.readable_types) return {};
  const Error refused{ErrorKind::Forbidden, "Not allowed",
                      "the caller may read some entity types only: each entities[] selector must name them (a type, "
                      "or types separated by commas)"};
  if (sub.filter.entities.empty()) return std::unexpected(refused);
  for (const auto& selector : sub.filter.entities) {
    std::vector<std::string> types;
    if (!selector.types || !selector.types->alternatives(types)) return std::unexpected(refused);
    for (const auto& t : types)
      if (!c.readable_type(t)) return std::unexpected(refused);
  }
  return {};
}

// Parses the document with `ctx` and resolves its jsonldContext (the context notifications use).
Result<std::shared_ptr<Subscription>> build(const json::Value& doc, std::shared_ptr<const jsonld::Context> ctx,
                                            RequestContext& c, Services& s, const Kind& k) {
  auto sub = subscription::parse_subscription(doc, std::move(ctx), c.now);
  if (!sub) return sub;
  (*sub)->flavor = k.flavor;
  if (DiscoveryQuery q; k.flavor)  // a context source subscription's temporalQ is matched against registrations
    if (auto st = temporal_query_of(doc, q); !st) return std::unexpected(st.error());
  if (auto st = check_readable(**sub, c); !st) return std::unexpected(st.error());
  (*sub)->tenant = c.tenant;
  if (auto it = doc.FindMember("jsonldContext"); it != doc.MemberEnd()) {
    auto ctx = s.contexts.from_link(std::string(json::view(it->value)));
    if (!ctx) return std::unexpected(ctx.error());
    (*sub)->notification_context = *ctx;
  }
  return sub;
}

// A subscription id in the path is a URI (400 otherwise, not 404).
Status check_subscription_id(const std::string& id) {
  if (is_absolute_uri(id)) return {};
  return fail(ErrorKind::BadRequestData, "Invalid subscription id", "'" + id + "' is not a URI");
}

void create_subscription(const http::Request& req, Services& s, const Kind& k, http::Reply reply) {
  with_request(req, s, {.body = true, .params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto sub = build(c->body, c->context, *c, s, k);
    if (!sub) return reply(http::problem(sub.error()));
    const std::string id = (*sub)->id;
    if (auto st = s.subscriptions.create(std::move(*sub)); !st) return reply(http::problem(st.error()));
    http::Response r;
    r.status = 201;
    r.header("Location", k.base + "/" + id);
    reply(std::move(r));
  });
}

void get_subscription(const http::Request& req, const Params& p, Services& s, const Kind& k, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (auto st = check_subscription_id(p[0]); !st) return reply(http::problem(st.error()));
    auto sub = s.subscriptions.find(c->tenant, p[0], k.flavor);
    if (!sub) return reply(http::problem(not_found(p[0])));
    reply(json_response(*c, 200,
                        subscription::render_subscription(*sub, c->now, *c->context, c->accept == MediaType::JsonLd)));
  });
}

void list_subscriptions(const http::Request& req, Services& s, const Kind& k, http::Reply reply) {
  with_request(req, s, {.params = params(kPageParams, kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto page = page_from_params(*c, s.options);
    if (!page) return reply(http::problem(page.error()));
    const auto all = s.subscriptions.list(c->tenant, k.flavor);
    std::string body = "[";
    for (size_t i = page->offset; i < all.size() && i < page->offset + page->limit; ++i) {
      if (body.size() > 1) body += ',';
      body += subscription::render_subscription(*all[i], c->now, *c->context, c->accept == MediaType::JsonLd);
    }
    body += ']';
    http::Response r = json_response(*c, 200, std::move(body));
    if (page->count) r.header("NGSILD-Results-Count", std::to_string(all.size()));
    add_page_links(r, *c, *page, page->offset + page->limit < all.size());
    reply(std::move(r));
  });
}

void update_subscription(const http::Request& req, const Params& p, Services& s, const Kind& k, http::Reply reply) {
  with_request(req, s, {.body = true, .merge_patch = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (auto st = check_subscription_id(id); !st) return reply(http::problem(st.error()));
    auto current = s.subscriptions.find(c->tenant, id, k.flavor);
    if (!current) return reply(http::problem(not_found(id)));
    if (!c->body.IsObject() || c->body.ObjectEmpty())
      return reply(http::problem(
          Error{ErrorKind::BadRequestData, "Invalid subscription fragment", "the body must be a non-empty object"}));
    if (auto it = c->body.FindMember("id");
        it != c->body.MemberEnd() && (!it->value.IsString() || json::view(it->value) != id))
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid subscription fragment", "id cannot be changed"}));
    // The fragment's members replace the document's; null removes one. The document's names are
    // expanded already; the fragment's expand with this request's @context. q, whose names stay
    // as written, is read with the @context of the request that wrote it.
    json::Document merged;
    json::parse_stored(merged, current->document);
    auto& a = merged.GetAllocator();
    subscription::rename_terms(c->body, c->body.GetAllocator(),
                               [&](std::string_view term) { return c->context->expand(term); });
    for (auto& m : c->body.GetObject()) {
      const std::string_view key = json::view(m.name);
      if (key == "@context") continue;
      merged.RemoveMember(m.name);
      if (!m.value.IsNull()) merged.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
    }
    if (!c->body.HasMember("expiresAt")) merged.RemoveMember("expiresAt");  // unchanged: not re-validated
    auto next = build(merged, c->body.HasMember("q") ? c->context : current->context, *c, s, k);
    if (!next) return reply(http::problem(next.error()));
    if (!c->body.HasMember("expiresAt") && current->expires_at) {
      (*next)->expires_at = current->expires_at;
      json::Document doc;
      json::parse_stored(doc, (*next)->document);
      const std::string t = format_iso8601(current->expires_at);
      doc.AddMember("expiresAt", json::Value(t.c_str(), doc.GetAllocator()), doc.GetAllocator());
      (*next)->document = json::to_string(doc);
    }
    (*next)->state = current->state;
    if (auto st = s.subscriptions.replace(std::move(*next)); !st) return reply(http::problem(st.error()));
    reply(no_content());
  });
}

void delete_subscription(const http::Request& req, const Params& p, Services& s, const Kind& k, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (auto st = check_subscription_id(p[0]); !st) return reply(http::problem(st.error()));
    if (auto st = s.subscriptions.remove(c->tenant, p[0], k.flavor); !st) return reply(http::problem(st.error()));
    reply(no_content());
  });
}

// The five routes of one collection.
void add_routes(http::Router& r, Services& s, Kind kind) {
  using http::Method;
  auto k = std::make_shared<const Kind>(std::move(kind));
  const std::string& base = k->base;
  r.add(Method::Post, base, {http::Need::Subscribe},
        [&s, k](const http::Request& q, const Params&, http::Reply y) { create_subscription(q, s, *k, std::move(y)); });
  r.add(Method::Get, base, {http::Need::Subscribe},
        [&s, k](const http::Request& q, const Params&, http::Reply y) { list_subscriptions(q, s, *k, std::move(y)); });
  r.add(
      Method::Get, base + "/{id}", {http::Need::Subscribe},
      [&s, k](const http::Request& q, const Params& p, http::Reply y) { get_subscription(q, p, s, *k, std::move(y)); });
  r.add(Method::Patch, base + "/{id}", {http::Need::Subscribe},
        [&s, k](const http::Request& q, const Params& p, http::Reply y) {
    update_subscription(q, p, s, *k, std::move(y));
  });
  r.add(Method::Delete, base + "/{id}", {http::Need::Subscribe},
        [&s, k](const http::Request& q, const Params& p, http::Reply y) {
    delete_subscription(q, p, s, *k, std::move(y));
  });
}

}  // namespace

void add_subscription_routes(http::Router& r, Services& s) {
  add_routes(r, s, {"/ngsi-ld/v1/subscriptions", nullptr});
  add_routes(r, s, {"/ngsi-ld/v1/csourceSubscriptions", &s.csource_subscriptions});
}

}  // namespace dejima::ngsild
