#include "ngsiv2/query_handlers.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "jsonld/context.h"
#include "ngsiv2/expiry.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/geo_query.h"
#include "ngsiv2/handler_util.h"
#include "ngsiv2/order_by.h"
#include "ngsiv2/selection.h"
#include "ngsiv2/simple_query.h"
#include "query/selection.h"
#include "util/regex.h"

namespace dejima::ngsiv2 {
namespace {

using broker::EntityPtr;

struct Query {
  Selection sel;
  View view;
  query::Page page;
  Order order;           // orderBy: none keeps id order
  GeoDistance distance;  // the near query's, for orderBy=geo:distance
};

Result<query::Filter> filter_of(const RequestContext& c, const Query& q) {
  return filter_of(
      q.sel, [&c](const model::Entity& e) { return c.in_query_paths(e); }, c.readable_types);
}

// The entities a query names by id that are not held here (their providers may hold them).
std::vector<Named> missing_named(const broker::Tenant* tenant, const Selection& sel) {
  std::vector<Named> out;
  for (const Item& it : sel.items) {
    if (it.id_pattern) continue;
    for (const auto& id : it.ids) {
      if (tenant && tenant->get(id)) continue;
      if (it.types.empty()) out.push_back({id, std::nullopt});
      for (const auto& t : it.types) out.push_back({id, t});
    }
  }
  return out;
}

// Runs the query (asking the providers registered for what it selects) and answers with the
// page (and Fiware-Total-Count with options=count).
void answer(Services& s, std::unique_ptr<RequestContext> c, const Query& q, http::Reply reply) {
  auto f = filter_of(*c, q);
  if (!f) return reply(error_response(*c, f.error()));
  broker::QueryResult result;
  auto tenant = s.tenants.find(c->tenant);
  if (tenant && q.order.empty()) result = (*tenant)->query(*f, q.page);
  if (tenant && !q.order.empty())
    result = (*tenant)->query_sorted(*f, q.page,
                                     [&q](std::vector<EntityPtr>& all) { sort_entities(all, q.order, q.distance); });
  std::vector<Named> missing;
  if (s.registrations.any(c->tenant)) missing = missing_named(tenant ? *tenant : nullptr, q.sel);
  const RemotePage page{.limit = q.page.limit - std::min(q.page.limit, result.entities.size()),
                        .offset = q.page.offset > result.total ? q.page.offset - result.total : 0};
  auto render = [view = q.view, count = q.page.count, local_total = result.total](
                    const RequestContext& c, const Forwarded& r, http::Reply reply) {
    std::string body = json::written([&](json::Writer& w) {
      w.StartArray();
      std::set<std::string> seen;  // unique: rows already written
      for (const auto& e : r.entities) {
        if (view.format == Format::Unique) {
          std::string row = json::written([&](json::Writer& rw) { write_entity(rw, *e, view); });
          if (!seen.insert(row).second) continue;
          json::write_raw(w, row);
          continue;
        }
        write_entity(w, *e, view);
      }
      w.EndArray();
    });
    http::Response res = json_response(c, 200, std::move(body));
    if (count) res.header("Fiware-Total-Count", std::to_string(local_total + r.remote_total));
    reply(std::move(res));
  };
  answer_forwarded(s, std::move(c), std::move(result.entities), std::move(missing), q.view.attrs, page,
                   std::move(render), std::move(reply));
}

// Completes the query with its view, the URL's paging and orderBy, then answers it.
void answer(Services& s, std::unique_ptr<RequestContext> c, Query& q, Result<View> view, http::Reply reply) {
  if (!view) return reply(error_response(*c, view.error()));
  q.view = std::move(*view);
  auto page = page_of(*c, s.options);
  if (!page) return reply(error_response(*c, page.error()));
  q.page = *page;
  if (const std::string* text = c->req.param("orderBy")) {
    auto order = parse_order_by(*text);
    if (!order) return reply(error_response(*c, order.error()));
    q.order = std::move(*order);
  }
  answer(s, std::move(c), q, std::move(reply));
}

void list_entities(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    Query q;
    auto item = item_of(req.param("id"), req.param("idPattern"), req.param("type"), req.param("typePattern"));
    if (!item) return reply(error_response(*c, item.error()));
    if (req.param("id") || req.param("idPattern") || req.param("type") || req.param("typePattern"))
      q.sel.items.push_back(std::move(*item));
    if (const auto* text = req.param("q"))
      if (auto st = translate_query(*text, false, q.sel.q); !st) return reply(error_response(*c, st.error()));
    if (const auto* text = req.param("mq"))
      if (auto st = translate_query(*text, true, q.sel.q); !st) return reply(error_response(*c, st.error()));
    auto geo = geo_test(req.param("georel"), req.param("geometry"), req.param("coords"));
    if (!geo) return reply(error_response(*c, geo.error()));
    q.sel.geo = std::move(*geo);
    q.distance = *geo_distance(req.param("georel"), req.param("geometry"), req.param("coords"));  // checked above
    answer(s, std::move(c), q, view_of(req.param("attrs"), req.param("metadata"), req.param("options")),
           std::move(reply));
  });
}

// A list of strings in a body member (attrs, metadata), joined as a URL parameter would be.
Result<std::optional<std::string>> joined(const json::Value& body, std::string_view name) {
  const auto* v = json::member(body, name);
  if (!v) return std::optional<std::string>();
  if (!v->IsArray()) return std::unexpected(bad_request("invalid JSON type for " + std::string(name)));
  std::string out;
  for (const auto& s : v->GetArray()) {
    if (!s.IsString()) return std::unexpected(bad_request("invalid JSON type for " + std::string(name)));
    if (!out.empty()) out += ',';
    out += json::view(s);
  }
  return std::optional<std::string>(std::move(out));
}

const std::string* string_member(const json::Value& v, std::string_view name, std::string& holder) {
  const auto* m = json::member(v, name);
  if (!m || !m->IsString()) return nullptr;
  holder = json::view(*m);
  return &holder;
}

void op_query(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const json::Value& body = c->body;
    if (!body.IsObject()) return reply(error_response(*c, bad_request("Parse Error")));
    Query q;
    if (const auto* entities = json::member(body, "entities")) {
      if (!entities->IsArray()) return reply(error_response(*c, bad_request("invalid JSON type for entities")));
      for (const auto& e : entities->GetArray()) {
        if (!e.IsObject()) return reply(error_response(*c, bad_request("invalid JSON type for entities")));
        std::string id, idp, type, typep;
        auto item = item_of(string_member(e, "id", id), string_member(e, "idPattern", idp),
                            string_member(e, "type", type), string_member(e, "typePattern", typep));
        if (!item) return reply(error_response(*c, item.error()));
        q.sel.items.push_back(std::move(*item));
      }
    }
    if (const auto* ex = json::member(body, "expression")) {
      if (!ex->IsObject()) return reply(error_response(*c, bad_request("invalid JSON type for expression")));
      std::string text;
      if (string_member(*ex, "q", text))
        if (auto st = translate_query(text, false, q.sel.q); !st) return reply(error_response(*c, st.error()));
      if (string_member(*ex, "mq", text))
        if (auto st = translate_query(text, true, q.sel.q); !st) return reply(error_response(*c, st.error()));
      std::string georel, geometry, coords;
      auto geo = geo_test(string_member(*ex, "georel", georel), string_member(*ex, "geometry", geometry),
                          string_member(*ex, "coords", coords));
      if (!geo) return reply(error_response(*c, geo.error()));
      q.sel.geo = std::move(*geo);
      q.distance = *geo_distance(string_member(*ex, "georel", georel), string_member(*ex, "geometry", geometry),
                                 string_member(*ex, "coords", coords));  // checked above
    }
    auto attrs = joined(body, "attrs");
    if (!attrs) return reply(error_response(*c, attrs.error()));
    auto metadata = joined(body, "metadata");
    if (!metadata) return reply(error_response(*c, metadata.error()));
    answer(s, std::move(c), q,
           view_of(*attrs ? &**attrs : nullptr, *metadata ? &**metadata : nullptr, req.param("options")),
           std::move(reply));
  });
}

// Per entity type: how many entities, and each attribute's v2 types.
using TypeSummary = std::map<std::string, std::pair<size_t, std::map<std::string, std::set<std::string>>>>;

TypeSummary summarize(Services& s, const RequestContext& c, const std::string* only_type) {
  TypeSummary out;
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) return out;
  Query q;
  if (only_type) q.sel.items.push_back(Item{.types = {expanded_name(*only_type)}});
  auto f = filter_of(c, q);
  if (!f) return out;
  auto all = (*tenant)->query(*f, query::Page{.offset = 0, .limit = static_cast<size_t>(-1)});
  for (const auto& e : all.entities) {
    auto& [count, attrs] = out[entity_type(*e)];
    ++count;
    for (const auto* a : shown_attributes(*e))
      if (std::string n = v2_name(a->name); n != kDateExpires) attrs[n].insert(type_of(*a));  // a built-in
  }
  return out;
}

void write_type(json::Writer& w, const std::pair<size_t, std::map<std::string, std::set<std::string>>>& t,
                bool details) {
  w.Key("attrs");
  w.StartObject();
  for (const auto& [name, types] : t.second) {
    json::write_key(w, name);
    w.StartObject();
    w.Key("types");
    w.StartArray();
    if (details)
      for (const auto& ty : types) json::write_string(w, ty);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.Key("count");
  w.Uint64(t.first);
}

void list_types(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto page = page_of(*c, s.options);
    if (!page) return reply(error_response(*c, page.error()));
    const auto types = summarize(s, *c, nullptr);
    const bool values = has_option(*c, "values");
    const bool details = !has_option(*c, "noAttrDetail");
    std::string body = json::written([&](json::Writer& w) {
      w.StartArray();
      size_t i = 0;
      for (const auto& [name, t] : types) {
        if (i++ < page->offset || i > page->offset + page->limit) continue;
        if (values) {
          json::write_string(w, name);
          continue;
        }
        w.StartObject();
        w.Key("type");
        json::write_string(w, name);
        write_type(w, t, details);
        w.EndObject();
      }
      w.EndArray();
    });
    http::Response r = json_response(*c, 200, std::move(body));
    if (page->count) r.header("Fiware-Total-Count", std::to_string(types.size()));
    reply(std::move(r));
  });
}

void get_type(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const auto types = summarize(s, *c, &p[0]);
    auto it = types.find(p[0]);
    if (it == types.end()) return reply(error_response(*c, not_found("Entity type not found")));
    reply(json_response(*c, 200, json::written([&](json::Writer& w) {
      w.StartObject();
      write_type(w, it->second, !has_option(*c, "noAttrDetail"));
      w.EndObject();
    })));
  });
}

}  // namespace

void add_query_routes(http::Router& r, Services& s) {
  using http::Method;
  const http::Permission read{http::Need::Read};
  // The API's entry point: the resources served so far.
  r.add(Method::Get, "/v2", {http::Need::Open}, [](const http::Request& req, const Params&, http::Reply reply) {
    with_request(req, {}, std::move(reply), [](std::unique_ptr<RequestContext> c, http::Reply reply) {
      reply(json_response(
          *c, 200,
          R"({"entities_url":"/v2/entities","types_url":"/v2/types","subscriptions_url":"/v2/subscriptions","registrations_url":"/v2/registrations"})"));
    });
  });
  r.add(Method::Get, "/v2/entities", read,
        [&s](const http::Request& req, const Params&, http::Reply reply) { list_entities(req, s, std::move(reply)); });
  r.add(Method::Post, "/v2/op/query", read,
        [&s](const http::Request& req, const Params&, http::Reply reply) { op_query(req, s, std::move(reply)); });
  r.add(Method::Get, "/v2/types", read,
        [&s](const http::Request& req, const Params&, http::Reply reply) { list_types(req, s, std::move(reply)); });
  r.add(Method::Get, "/v2/types/{type}", read,
        [&s](const http::Request& req, const Params& p, http::Reply reply) { get_type(req, p, s, std::move(reply)); });
}

}  // namespace dejima::ngsiv2
