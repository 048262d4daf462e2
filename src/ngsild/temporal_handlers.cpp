#include "ngsild/temporal_handlers.h"

#include <algorithm>

#include "model/parse.h"
#include "ngsild/handler_util.h"
#include "ngsild/query_params.h"
#include "ngsild/temporal_params.h"
#include "temporal/record.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using Params = std::vector<std::string>;
using store::HistoryWrite;
using temporal::AttributeHistory;

Error not_found(const std::string& what) { return Error{ErrorKind::ResourceNotFound, "Not found", what}; }

Status check_id(const std::string& id) {
  if (!is_absolute_uri(id)) return fail(ErrorKind::BadRequestData, "Invalid entity id", "'" + id + "' is not a URI");
  return {};
}

// ---- reading --------------------------------------------------------------------------------

// Which part of the history a response covers when an attribute had more instances than one
// response holds (Content-Range, 206).
struct Coverage {
  bool truncated = false;
  Millis start = INT64_MAX, end = INT64_MIN;
};

// Reads the attributes of one entity as the request asks: aggregated periods, or the instances
// (the oldest, or with lastN the newest), at most max_instances per attribute.
Result<std::vector<AttributeHistory>> read_entity(store::HistoryReader& h, const std::string& id,
                                                  const TemporalRequest& t, size_t max_instances, Coverage& cover) {
  auto names = h.history_attributes(id);
  if (!names) return std::unexpected(names.error());
  std::vector<AttributeHistory> out;
  for (const auto& name : *names) {
    if (!t.attrs.empty() && std::find(t.attrs.begin(), t.attrs.end(), name) == t.attrs.end()) continue;
    AttributeHistory a;
    a.name = name;
    if (t.render.representation == temporal::Representation::Aggregated) {
      auto periods = temporal::aggregate(h, id, name, t.window, t.bounded_from, t.bounded_to, t.period,
                                         temporal::scan_need(t.render.methods));
      if (!periods) return std::unexpected(periods.error());
      a.periods = std::move(*periods);
      auto last = h.history_instances(id, name, store::TimeWindow{}, 1, true);
      if (!last) return std::unexpected(last.error());
      if (!last->empty()) {
        model::AttrInstance probe;
        probe.json = last->front().json;
        a.type = model::attribute_type(probe);
      }
      out.push_back(std::move(a));
      continue;
    }
    const bool newest = t.last_n.has_value();
    const size_t wanted = std::min(t.last_n.value_or(max_instances), max_instances);
    auto found = h.history_instances(id, name, t.window, wanted + 1, newest);
    if (!found) return std::unexpected(found.error());
    a.instances = std::move(*found);
    // More than one response holds (lastN asks for no more than it names).
    const bool more = a.instances.size() > wanted && (!newest || *t.last_n > max_instances);
    if (a.instances.size() > wanted) {
      if (newest) a.instances.erase(a.instances.begin());
      else a.instances.pop_back();
    }
    if (more && !a.instances.empty()) {
      cover.truncated = true;
      // The part every attribute covers completely: up to the earliest last time (oldest
      // first), or from the latest first time (newest first).
      const auto p = t.render.time_property;
      if (newest) cover.start = cover.start == INT64_MAX ? a.instances.front().time(p) : std::max(cover.start, a.instances.front().time(p));
      else cover.end = cover.end == INT64_MIN ? a.instances.back().time(p) : std::min(cover.end, a.instances.back().time(p));
    }
    out.push_back(std::move(a));
  }
  return out;
}

// Trims every attribute to the covered part and fills the range's other end.
void trim_to_coverage(std::vector<std::vector<AttributeHistory>>& all, const TemporalRequest& t, Coverage& cover) {
  const auto p = t.render.time_property;
  const bool newest = t.last_n.has_value();
  Millis lo = INT64_MAX, hi = INT64_MIN;
  for (auto& attrs : all)
    for (auto& a : attrs) {
      std::erase_if(a.instances, [&](const store::InstanceRecord& r) {
        return newest ? r.time(p) < cover.start : r.time(p) > cover.end;
      });
      for (const auto& r : a.instances) {
        lo = std::min(lo, r.time(p));
        hi = std::max(hi, r.time(p));
      }
    }
  if (newest) cover.end = t.bounded_to ? t.window.to : hi;
  else cover.start = t.bounded_from ? t.window.from : lo;
}

http::Response temporal_response(const RequestContext& c, const TemporalRequest& t,
                                 std::vector<store::HistoryEntity>& entities,
                                 std::vector<std::vector<AttributeHistory>>& attrs, Coverage& cover, bool as_array) {
  if (cover.truncated) trim_to_coverage(attrs, t, cover);
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  if (as_array) w.StartArray();
  for (size_t i = 0; i < entities.size(); ++i)
    temporal::render_temporal_entity(w, entities[i], attrs[i], *c.context, t.render);
  if (as_array) w.EndArray();
  http::Response r = json_response(c, cover.truncated ? 206 : 200, std::string(sb.GetString(), sb.GetSize()));
  if (cover.truncated)
    r.header("Content-Range", "date-time " + temporal::value_time(cover.start) + "-" + temporal::value_time(cover.end) + "/" +
                                  (t.last_n ? std::to_string(*t.last_n) : "*"));
  return r;
}

void get_temporal_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kRetrieveParams, kTemporalRepresentationParams, kTemporalParams)}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (auto st = check_id(id); !st) return reply(http::problem(st.error()));
    auto t = temporal_request(*c);
    if (!t) return reply(http::problem(t.error()));
    auto tenant = s.tenants.find(c->tenant);
    if (!tenant) return reply(http::problem(tenant.error()));
    auto& h = (*tenant)->history();
    auto e = h.history_entity(id);
    if (!e) return reply(http::problem(e.error()));
    if (!*e) return reply(http::problem(not_found("no history for entity " + id)));
    Coverage cover;
    auto attrs = read_entity(h, id, *t, s.settings.temporal_max_instances, cover);
    if (!attrs) return reply(http::problem(attrs.error()));
    std::vector<store::HistoryEntity> entities{std::move(**e)};
    std::vector<std::vector<AttributeHistory>> all{std::move(*attrs)};
    reply(temporal_response(*c, *t, entities, all, cover, false));
  });
}

// The history entity as a model entity for the query filter: id, types, scopes and, when the
// filter looks at attributes, the newest instance of each.
Result<model::Entity> filter_view(store::HistoryReader& h, const store::HistoryEntity& e, const query::Filter& f) {
  model::Entity v;
  v.id = e.id;
  v.types.assign(e.types.begin(), e.types.end());
  v.scopes = e.scopes;
  if (f.attrs.empty() && !f.q && !f.geo) return v;
  auto names = h.history_attributes(e.id);
  if (!names) return std::unexpected(names.error());
  for (const auto& n : *names) {
    auto last = h.history_instances(e.id, n, store::TimeWindow{}, 1, true);
    if (!last) return std::unexpected(last.error());
    if (last->empty() || last->front().deleted_at) continue;
    model::AttrInstance a;
    a.name = n;
    a.json = last->front().json;
    v.attrs.push_back(std::move(a));
  }
  model::extract_scalars(v);
  return v;
}

void run_temporal_query(RequestContext& c, Services& s, const query::Filter& f, const TemporalRequest& t,
                        http::Reply& reply) {
  auto page = page_from_params(c, s.settings);
  if (!page) return reply(http::problem(page.error()));
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) return reply(http::problem(tenant.error()));
  auto& h = (*tenant)->history();
  auto all = h.history_entities();
  if (!all) return reply(http::problem(all.error()));
  std::vector<store::HistoryEntity> entities;
  std::vector<std::vector<AttributeHistory>> attrs;
  size_t total = 0;
  Coverage cover;
  for (auto& e : *all) {
    auto view = filter_view(h, e, f);
    if (!view) return reply(http::problem(view.error()));
    if (!f.matches(*view)) continue;
    ++total;
    if (total <= page->offset || entities.size() >= page->limit) {
      if (!page->count && entities.size() >= page->limit) break;
      continue;
    }
    auto a = read_entity(h, e.id, t, s.settings.temporal_max_instances, cover);
    if (!a) return reply(http::problem(a.error()));
    entities.push_back(std::move(e));
    attrs.push_back(std::move(*a));
  }
  http::Response r = temporal_response(c, t, entities, attrs, cover, true);
  if (page->count) r.header("NGSILD-Results-Count", std::to_string(total));
  reply(std::move(r));
}

void query_temporal(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kSelectionParams, kPageParams, kTemporalRepresentationParams, kTemporalParams)}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto f = filter_from_params(*c, true);
    if (!f) return reply(http::problem(f.error()));
    auto t = temporal_request(*c);
    if (!t) return reply(http::problem(t.error()));
    if (t->attrs.empty()) t->attrs = f->attrs;
    run_temporal_query(*c, s, *f, *t, reply);
  });
}

void query_temporal_by_body(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto f = filter_from_body(c->body, *c);
    if (!f) return reply(http::problem(f.error()));
    const json::Value* tq = nullptr;
    if (auto it = c->body.FindMember("temporalQ"); it != c->body.MemberEnd()) tq = &it->value;
    auto t = temporal_request(*c, tq);
    if (!t) return reply(http::problem(t.error()));
    if (t->attrs.empty()) t->attrs = f->attrs;
    run_temporal_query(*c, s, *f, *t, reply);
  });
}

// ---- provision ------------------------------------------------------------------------------

std::vector<store::InstanceRecord> records_of(const std::vector<model::AttrInstance>& attrs, Millis now) {
  std::vector<store::InstanceRecord> out;
  out.reserve(attrs.size());
  for (auto a : attrs) {
    a.created_at = a.modified_at = now;
    out.push_back(temporal::instance_record(a));
  }
  return out;
}

void write(Services& s, RequestContext& c, std::vector<HistoryWrite> writes, http::Reply reply,
           std::function<http::Response()> ok) {
  auto tenant = s.tenants.find_or_create(c.tenant);
  if (!tenant) return reply(http::problem(tenant.error()));
  (*tenant)->write_history(std::move(writes), [reply = std::move(reply), ok = std::move(ok)](Status st) {
    reply(st ? ok() : http::problem(st.error()));
  });
}

void create_temporal_entity(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true, .params = params(kLocalParam)}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto parsed = model::parse_entity(c->body, *c->context, model::ParseMode::Temporal);
    if (!parsed) return reply(http::problem(parsed.error()));
    bool exists = false;
    if (auto tenant = s.tenants.find(c->tenant)) {
      auto e = (*tenant)->history().history_entity(*parsed->id);
      if (!e) return reply(http::problem(e.error()));
      exists = e->has_value();
    }
    HistoryWrite w;
    w.entity.id = *parsed->id;
    w.entity.types.assign(parsed->types.begin(), parsed->types.end());
    w.entity.scopes = parsed->scopes.value_or(std::vector<std::string>{});
    w.entity.created_at = w.entity.modified_at = c->now;
    w.instances = records_of(parsed->attrs, c->now);
    const std::string id = w.entity.id;
    std::vector<HistoryWrite> writes;
    writes.push_back(std::move(w));
    write(s, *c, std::move(writes), std::move(reply), [exists, id] {
      if (exists) return no_content();
      http::Response r;
      r.status = 201;
      r.header("Location", "/ngsi-ld/v1/temporal/entities/" + id);
      return r;
    });
  });
}

// The history entity of a path's id, or the reply's problem (400, 404).
std::optional<store::HistoryEntity> existing(Services& s, RequestContext& c, const std::string& id, http::Reply& reply) {
  if (auto st = check_id(id); !st) {
    reply(http::problem(st.error()));
    return std::nullopt;
  }
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) {
    reply(http::problem(tenant.error()));
    return std::nullopt;
  }
  auto e = (*tenant)->history().history_entity(id);
  if (!e || !*e) {
    reply(http::problem(!e ? e.error() : not_found("no history for entity " + id)));
    return std::nullopt;
  }
  return std::move(**e);
}

void add_temporal_attrs(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto parsed = model::parse_entity(c->body, *c->context, model::ParseMode::TemporalFragment);
    if (!parsed) return reply(http::problem(parsed.error()));
    auto e = existing(s, *c, p[0], reply);
    if (!e) return;
    HistoryWrite w;
    w.entity = std::move(*e);
    w.entity.modified_at = c->now;
    w.instances = records_of(parsed->attrs, c->now);
    std::vector<HistoryWrite> writes;
    writes.push_back(std::move(w));
    write(s, *c, std::move(writes), std::move(reply), [] { return no_content(); });
  });
}

void delete_temporal_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto e = existing(s, *c, p[0], reply);
    if (!e) return;
    HistoryWrite w;
    w.op = HistoryWrite::Op::DeleteEntity;
    w.entity.id = p[0];
    write(s, *c, {std::move(w)}, std::move(reply), [] { return no_content(); });
  });
}

void delete_temporal_attr(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (!model::valid_name(p[1]))
      return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid attribute name", p[1]}));
    auto e = existing(s, *c, p[0], reply);
    if (!e) return;
    HistoryWrite w;
    w.op = HistoryWrite::Op::DeleteAttribute;
    w.entity.id = p[0];
    w.attr = c->context->expand(p[1]);
    const auto* all = req.param("deleteAll");
    w.all_datasets = all && *all == "true";
    if (const auto* d = req.param("datasetId")) w.dataset_id = *d;
    write(s, *c, {std::move(w)}, std::move(reply), [] { return no_content(); });
  });
}

void write_temporal_instance(const http::Request& req, const Params& p, Services& s, http::Reply reply, bool remove) {
  with_request(req, s, {.body = !remove}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (!model::valid_name(p[1]))
      return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid attribute name", p[1]}));
    if (!is_absolute_uri(p[2]))
      return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid instanceId", "'" + p[2] + "' is not a URI"}));
    HistoryWrite w;
    w.op = remove ? HistoryWrite::Op::DeleteInstance : HistoryWrite::Op::ReplaceInstance;
    w.entity.id = p[0];
    w.attr = c->context->expand(p[1]);
    w.instance = temporal::instance_number(p[2]);
    if (!w.instance) return reply(http::problem(not_found("no instance " + p[2])));
    if (!remove) {
      // The body is the instance itself ({"type": "Property", "value": ...}), or a fragment
      // holding it under the attribute's name ({"speed": [{...}]}).
      std::vector<model::AttrInstance> mine;
      auto is_attribute_type = [](std::string_view t) {
        for (std::string_view k : {"Property", "Relationship", "GeoProperty", "LanguageProperty", "VocabProperty",
                                   "JsonProperty", "ListProperty", "ListRelationship"})
          if (t == k) return true;
        return false;
      };
      if (c->body.IsObject() && c->body.HasMember("type") && c->body["type"].IsString() &&
          is_attribute_type(json::view(c->body["type"]))) {
        c->body.RemoveMember("@context");
        if (auto st = model::parse_attribute(w.attr, c->body, *c->context, false, mine, nullptr, false, true); !st)
          return reply(http::problem(st.error()));
      } else {
        auto parsed = model::parse_entity(c->body, *c->context, model::ParseMode::TemporalFragment);
        if (!parsed) return reply(http::problem(parsed.error()));
        for (auto& a : parsed->attrs)
          if (a.name == w.attr) mine.push_back(std::move(a));
      }
      if (mine.size() != 1)
        return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid instance",
                                         "the body must hold exactly one instance of " + p[1]}));
      w.instances = records_of(mine, c->now);
    }
    auto e = existing(s, *c, p[0], reply);
    if (!e) return;
    write(s, *c, {std::move(w)}, std::move(reply), [] { return no_content(); });
  });
}

}  // namespace

void add_temporal_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string base = "/ngsi-ld/v1/temporal/entities";
  r.add(Method::Post, base, [&s](const http::Request& q, const Params&, http::Reply y) { create_temporal_entity(q, s, std::move(y)); });
  r.add(Method::Get, base, [&s](const http::Request& q, const Params&, http::Reply y) { query_temporal(q, s, std::move(y)); });
  r.add(Method::Get, base + "/{id}", [&s](const http::Request& q, const Params& p, http::Reply y) { get_temporal_entity(q, p, s, std::move(y)); });
  r.add(Method::Delete, base + "/{id}", [&s](const http::Request& q, const Params& p, http::Reply y) { delete_temporal_entity(q, p, s, std::move(y)); });
  r.add(Method::Post, base + "/{id}/attrs", [&s](const http::Request& q, const Params& p, http::Reply y) { add_temporal_attrs(q, p, s, std::move(y)); });
  r.add(Method::Delete, base + "/{id}/attrs/{attrId}", [&s](const http::Request& q, const Params& p, http::Reply y) { delete_temporal_attr(q, p, s, std::move(y)); });
  r.add(Method::Patch, base + "/{id}/attrs/{attrId}/{instanceId}", [&s](const http::Request& q, const Params& p, http::Reply y) { write_temporal_instance(q, p, s, std::move(y), false); });
  r.add(Method::Delete, base + "/{id}/attrs/{attrId}/{instanceId}", [&s](const http::Request& q, const Params& p, http::Reply y) { write_temporal_instance(q, p, s, std::move(y), true); });
  r.add(Method::Post, "/ngsi-ld/v1/temporal/entityOperations/query", [&s](const http::Request& q, const Params&, http::Reply y) { query_temporal_by_body(q, s, std::move(y)); });
}

}  // namespace dejima::ngsild
