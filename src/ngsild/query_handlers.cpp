#include "ngsild/query_handlers.h"

#include "model/parse.h"
#include "model/render.h"
#include "ngsild/distributed_query.h"
#include "ngsild/distributed_write.h"
#include "ngsild/handler_util.h"
#include "ngsild/linked_entities.h"
#include "ngsild/order_by.h"
#include "ngsild/query_params.h"
#include "ngsild/render_params.h"

#include <set>

namespace dejima::ngsild {
namespace {

using Params = std::vector<std::string>;

// Renders a page of entities as a JSON array or, for application/geo+json, a FeatureCollection.
http::Response entity_list(const RequestContext& c, const model::RenderOptions& opts, const broker::QueryResult& r,
                           bool more, const query::Page& page, const broker::Tenant& tenant, const JoinOptions& join) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  if (c.accept == MediaType::GeoJson) {
    std::string geo = c.context->expand("location");
    if (const auto* gp = c.req.param("geometryProperty")) geo = c.context->expand(*gp);
    w.StartObject();
    w.Key("type");
    w.String("FeatureCollection");
    w.Key("features");
    w.StartArray();
    model::RenderOptions feature = opts;
    feature.with_context = false;  // once, for the whole collection
    for (const auto& e : r.entities) model::render_feature(w, *e, *c.context, feature, geo);
    w.EndArray();
    if (opts.with_context) {
      w.Key("@context");
      json::write_raw(w, c.context->context_json());
    }
    w.EndObject();
  } else {
    w.StartArray();
    render_joined(w, r.entities, tenant, *c.context, opts, join);
    w.EndArray();
  }
  http::Response resp = json_response(c, 200, std::string(sb.GetString(), sb.GetSize()));
  if (page.count) resp.header("NGSILD-Results-Count", std::to_string(r.total));
  add_page_links(resp, c, page, more);
  return resp;
}

// The matches of `f` for one page: in id order, or with orderBy every match sorted, then cut.
// `more` says whether a next page has matches.
struct Selected {
  broker::QueryResult result;
  bool more = false;
};

Selected select(const broker::Tenant& tenant, const query::Filter& f, const query::Page& page,
                const std::optional<std::vector<OrderKey>>& order) {
  Selected s;
  if (!order) {  // one more than the page tells whether there is a next one
    query::Page probe = page;
    if (page.limit > 0) probe.limit = page.limit + 1;
    s.result = tenant.query(f, probe);
    s.more = s.result.entities.size() > page.limit;
    if (s.more) s.result.entities.pop_back();
    return s;
  }
  s.result = tenant.query_sorted(f, page, [&](std::vector<broker::EntityPtr>& all) { sort_entities(all, *order); });
  s.more = page.offset + page.limit < s.result.total;
  return s;
}

// Every match of the query merged with the context sources' (distributed_query.h), then ordered and
// cut into the page, on a forwarder thread.
void run_distributed(std::shared_ptr<RequestContext> c, Services& s, query::Filter f, broker::Tenant* tenant,
                     std::vector<federation::RegPtr> sources, query::Page page, model::RenderOptions opts,
                     JoinOptions join, std::optional<std::vector<OrderKey>> order, http::Reply& reply) {
  auto job = [=, &s]() mutable {
    auto local = tenant->query(f, query::Page{.offset = 0, .limit = SIZE_MAX});
    // In id order only the page is read in full; orderBy needs every match's values.
    auto merged = query_distributed(*c, s, f, *tenant, std::move(local.entities), sources,
                                    order ? std::nullopt : std::optional(page));
    broker::QueryResult r;
    r.total = merged.total;
    if (order) {
      auto& all = merged.entities;
      sort_entities(all, *order);
      r.total = all.size();
      const size_t from = std::min(page.offset, all.size());
      const size_t to = std::min(all.size(), from + page.limit);
      r.entities.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to));
    } else {
      r.entities = std::move(merged.entities);
    }
    const bool more = merged.more || std::min(page.offset, r.total) + r.entities.size() < r.total;
    http::Response resp = entity_list(*c, opts, r, more, page, *tenant, join);
    if (!order) resp.header(std::string(kResultsOrder), "id");
    reply(std::move(resp));
  };
  if (!s.forwarder.submit(job))
    reply(http::problem(Error{ErrorKind::ServiceUnavailable, "Too many forwarded requests",
                              "every thread that asks context sources is busy; try again"}));
}

// `operation` names the query in registrations: queryEntity (GET) or queryBatch (POST).
void run_query(std::unique_ptr<RequestContext> c, Services& s, query::Filter f, std::string_view operation,
               http::Reply& reply) {
  auto page = page_from_params(*c, s.options);
  if (!page) return reply(http::problem(page.error()));
  auto opts = render_options(*c);
  if (!opts) return reply(http::problem(opts.error()));
  auto join = join_options(*c);
  if (!join) return reply(http::problem(join.error()));
  std::optional<std::vector<OrderKey>> order;
  if (const auto* text = c->req.param("orderBy")) {
    auto keys = parse_order_by(*text, *c->context);
    if (!keys) return reply(http::problem(keys.error()));
    order = std::move(*keys);
  }
  auto sources = query_sources(*c, s, f, operation);
  auto tenant = s.tenants.find(c->tenant);
  if (!tenant && !sources.empty()) tenant = s.tenants.find_or_create(c->tenant);  // the sources may have some
  if (!tenant) return reply(http::problem(tenant.error()));
  if (opts->pick || !opts->omitted.empty())  // entities that pick/omit would leave empty are not returned
    f.shown = [o = *opts](const model::Entity& e) { return model::projection_matches(e, o); };
  if (!sources.empty())
    return run_distributed(std::move(c), s, std::move(f), *tenant, std::move(sources), *page, *opts, *join,
                           std::move(order), reply);
  auto [result, more] = select(**tenant, f, *page, order);
  http::Response resp = entity_list(*c, *opts, result, more, *page, **tenant, *join);
  if (!order) resp.header(std::string(kResultsOrder), "id");  // a federating Dejima may ask for a page's part
  reply(std::move(resp));
}

void query_entities(const http::Request& req, Services& s, http::Reply reply) {
  with_request(
      req, s,
      {.offer = {.geo = true}, .params = params(kSelectionParams, kPageParams, kOrderParam, kRepresentationParams)},
      std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
        auto f = filter_from_params(*c, true);
        if (!f) return reply(http::problem(f.error()));
        run_query(std::move(c), s, std::move(*f), "queryEntity", reply);
      });
}

void query_by_body(const http::Request& req, Services& s, http::Reply reply) {
  with_request(
      req, s, {.offer = {.geo = true}, .body = true, .params = params(kPageParams, kOrderParam, kRepresentationParams)},
      std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
        auto f = filter_from_body(c->body, *c);
        if (!f) return reply(http::problem(f.error()));
        run_query(std::move(c), s, std::move(*f), "queryBatch", reply);
      });
}

// The attribute names of a purge's keep or drop list, expanded; empty when the parameter is absent.
Result<std::set<std::string>> purge_names(const RequestContext& c, const char* param) {
  std::set<std::string> out;
  const auto* list = c.req.param(param);
  if (!list) return out;
  std::vector<std::string> names;
  if (auto st = add_attrs(*list, *c.context, names); !st) return std::unexpected(st.error());
  if (names.empty())
    return fail(ErrorKind::BadRequestData, std::string("Invalid ") + param,
                std::string(param) + " must list attribute names");
  out.insert(names.begin(), names.end());
  return out;
}

// DELETE /entities?type=... (clause 5.6.21): deletes every matching entity, or with drop=a,b only
// those attributes, or with keep=a,b every other attribute, in one durable transaction.
// local=true alone selects every entity (there are no context sources to forward to).
void purge_entities(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kSelectionParams, kPurgeParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto keep = purge_names(*c, "keep");
    if (!keep) return reply(http::problem(keep.error()));
    auto drop = purge_names(*c, "drop");
    if (!drop) return reply(http::problem(drop.error()));
    if (!keep->empty() && !drop->empty())
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid purge", "keep and drop cannot be used together"}));
    auto f = filter_from_params(*c, true);
    if (!f) return reply(http::problem(f.error()));
    // The sources whose registrations take deletions get the same purge (there is no purge
    // operation of its own in registrations).
    const bool forwarded = distribute_purge(*c, s, query_sources(*c, s, *f, "deleteEntity"), reply) != Split::None;
    auto tenant = s.tenants.find(c->tenant);
    if (!tenant)  // nothing of the tenant here: the sources' answers decide
      return reply(forwarded ? no_content() : http::problem(tenant.error()));
    auto found = (*tenant)->query(*f, query::Page{.offset = 0, .limit = SIZE_MAX});
    std::vector<std::string> ids;
    for (const auto& e : found.entities) ids.push_back(e->id);
    const Millis now = c->now;
    auto change = [keep = std::move(*keep), drop = std::move(*drop), now](
                      size_t, const broker::EntityPtr& current) -> Result<std::shared_ptr<model::Entity>> {
      if (!current || (keep.empty() && drop.empty())) return nullptr;
      auto next = std::make_shared<model::Entity>(*current);
      std::erase_if(next->attrs, [&](const model::AttrInstance& a) {
        return keep.empty() ? drop.contains(a.name.str()) : !keep.contains(a.name.str());
      });
      if (next->attrs.size() == current->attrs.size())
        return std::const_pointer_cast<model::Entity>(current);  // nothing to write
      next->modified_at = now;
      return next;
    };
    (*tenant)->apply_batch(ids, change, [reply](std::vector<Status>, Status commit) {
      reply(commit ? no_content() : http::problem(commit.error()));
    });
  });
}

bool details_param(const RequestContext& c, Status& st) {
  const auto* d = c.req.param("details");
  if (d && *d != "true" && *d != "false")
    st = fail(ErrorKind::BadRequestData, "Invalid details", "details must be true or false");
  return d && *d == "true";
}

void write_names(json::Writer& w, const std::set<std::string>& names, const jsonld::Context& ctx) {
  w.StartArray();
  for (const auto& n : names) json::write_string(w, ctx.compact(n));
  w.EndArray();
}

void write_strings(json::Writer& w, const std::set<std::string>& values) {
  w.StartArray();
  for (const auto& v : values) json::write_string(w, v);
  w.EndArray();
}

// Starts {"id": iri, "type": type, name_key: compacted iri, ... (the caller closes it).
void open_named(json::Writer& w, const std::string& iri, const char* type, const char* name_key,
                const jsonld::Context& ctx) {
  w.StartObject();
  w.Key("id");
  json::write_string(w, iri);
  w.Key("type");
  w.String(type);
  w.Key(name_key);
  json::write_string(w, ctx.compact(iri));
}

// EntityTypeList / AttributeList: {"id": urn, "type": type, member: [compacted keys of m]}.
template <class Map>
void write_name_list(json::Writer& w, const char* type, const char* member, const Map& m, const RequestContext& c) {
  w.StartObject();
  w.Key("id");
  w.String("urn:ngsi-ld:" + std::string(type) + ":" + std::to_string(c.now));
  w.Key("type");
  w.String(type);
  w.Key(member);
  w.StartArray();
  for (const auto& [iri, _] : m) json::write_string(w, c.context->compact(iri));
  w.EndArray();
  w.EndObject();
}

// Discovery of a tenant that was never written to answers with empty lists.
template <class F>
void with_tenant_or_empty(Services& s, const RequestContext& c, F&& f) {
  auto tenant = s.tenants.find(c.tenant);
  f(tenant ? *tenant : nullptr);
}

void list_types(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kDiscoveryParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    Status st;
    const bool details = details_param(*c, st);
    if (!st) return reply(http::problem(st.error()));
    with_tenant_or_empty(s, *c, [&](broker::Tenant* t) {
      auto types = t ? t->types(details) : std::map<std::string, broker::TypeInfo>{};
      std::erase_if(types, [&](const auto& kv) { return !c->readable_type(kv.first); });
      rapidjson::StringBuffer sb;
      json::Writer w(sb);
      if (details) {
        w.StartArray();
        for (const auto& [type, info] : types) {
          open_named(w, type, "EntityType", "typeName", *c->context);
          w.Key("attributeNames");
          w.StartArray();
          for (const auto& [a, _] : info.attributes) json::write_string(w, c->context->compact(a));
          w.EndArray();
          w.EndObject();
        }
        w.EndArray();
      } else {
        write_name_list(w, "EntityTypeList", "typeList", types, *c);
      }
      reply(json_response(*c, 200, std::string(sb.GetString(), sb.GetSize())));
    });
  });
}

void get_type(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kDiscoveryParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (!model::valid_name(p[0])) return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid type", p[0]}));
    const std::string type = c->context->expand(p[0]);
    with_tenant_or_empty(s, *c, [&](broker::Tenant* t) {
      auto types = t ? t->types(true) : std::map<std::string, broker::TypeInfo>{};
      auto it = types.find(type);
      if (it == types.end() || !c->readable_type(type))
        return reply(http::problem(Error{ErrorKind::ResourceNotFound, "Entity type not found", p[0]}));
      rapidjson::StringBuffer sb;
      json::Writer w(sb);
      open_named(w, type, "EntityTypeInfo", "typeName", *c->context);
      w.Key("entityCount");
      w.Uint64(it->second.entity_count);
      w.Key("attributeDetails");
      w.StartArray();
      for (const auto& [a, kinds] : it->second.attributes) {
        open_named(w, a, "Attribute", "attributeName", *c->context);
        w.Key("attributeTypes");
        write_strings(w, kinds);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      reply(json_response(*c, 200, std::string(sb.GetString(), sb.GetSize())));
    });
  });
}

// Attributes are counted across every type: a caller who may read only some types is not told.
Error attributes_refused() {
  return {ErrorKind::Forbidden, "Not allowed",
          "attribute discovery covers every entity type; this caller may read only some (use /types)"};
}

void list_attributes(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kDiscoveryParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    Status st;
    const bool details = details_param(*c, st);
    if (!st) return reply(http::problem(st.error()));
    if (c->readable_types) return reply(http::problem(attributes_refused()));
    with_tenant_or_empty(s, *c, [&](broker::Tenant* t) {
      auto attrs = t ? t->attributes(details) : std::map<std::string, broker::AttributeInfo>{};
      rapidjson::StringBuffer sb;
      json::Writer w(sb);
      if (details) {
        w.StartArray();
        for (const auto& [a, info] : attrs) {
          open_named(w, a, "Attribute", "attributeName", *c->context);
          w.Key("typeNames");
          write_names(w, info.types, *c->context);
          w.EndObject();
        }
        w.EndArray();
      } else {
        write_name_list(w, "AttributeList", "attributeList", attrs, *c);
      }
      reply(json_response(*c, 200, std::string(sb.GetString(), sb.GetSize())));
    });
  });
}

void get_attribute(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kDiscoveryParams)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (!model::valid_name(p[0]))
      return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid attribute name", p[0]}));
    const std::string name = c->context->expand(p[0]);
    if (c->readable_types) return reply(http::problem(attributes_refused()));
    with_tenant_or_empty(s, *c, [&](broker::Tenant* t) {
      auto attrs = t ? t->attributes(true) : std::map<std::string, broker::AttributeInfo>{};
      auto it = attrs.find(name);
      if (it == attrs.end())
        return reply(http::problem(Error{ErrorKind::ResourceNotFound, "Attribute not found", p[0]}));
      rapidjson::StringBuffer sb;
      json::Writer w(sb);
      open_named(w, name, "Attribute", "attributeName", *c->context);
      w.Key("attributeCount");
      w.Uint64(it->second.entity_count);
      w.Key("attributeTypes");
      write_strings(w, it->second.attr_types);
      w.Key("typeNames");
      write_names(w, it->second.types, *c->context);
      w.EndObject();
      reply(json_response(*c, 200, std::string(sb.GetString(), sb.GetSize())));
    });
  });
}

}  // namespace

void add_query_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string v1 = "/ngsi-ld/v1";
  r.add(Method::Get, v1 + "/entities", {http::Need::Read},
        [&s](const http::Request& q, const Params&, http::Reply y) { query_entities(q, s, std::move(y)); });
  r.add(Method::Delete, v1 + "/entities", {http::Need::Write},
        [&s](const http::Request& q, const Params&, http::Reply y) { purge_entities(q, s, std::move(y)); });
  r.add(Method::Post, v1 + "/entityOperations/query", {http::Need::Read},
        [&s](const http::Request& q, const Params&, http::Reply y) { query_by_body(q, s, std::move(y)); });
  r.add(Method::Get, v1 + "/types", {http::Need::Read},
        [&s](const http::Request& q, const Params&, http::Reply y) { list_types(q, s, std::move(y)); });
  r.add(Method::Get, v1 + "/types/{type}", {http::Need::Read},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_type(q, p, s, std::move(y)); });
  r.add(Method::Get, v1 + "/attributes", {http::Need::Read},
        [&s](const http::Request& q, const Params&, http::Reply y) { list_attributes(q, s, std::move(y)); });
  r.add(Method::Get, v1 + "/attributes/{attrId}", {http::Need::Read},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_attribute(q, p, s, std::move(y)); });
}

}  // namespace dejima::ngsild
