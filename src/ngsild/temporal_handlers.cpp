#include "ngsild/temporal_handlers.h"

#include <algorithm>

#include "model/parse.h"
#include "ngsild/distributed.h"
#include "ngsild/distributed_query.h"
#include "ngsild/distributed_temporal.h"
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

std::string temporal_body(const RequestContext& c, const TemporalRequest& t, const temporal::Histories& found,
                          bool as_array) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  if (as_array) w.StartArray();
  for (size_t i = 0; i < found.entities.size(); ++i)
    temporal::render_temporal_entity(w, found.entities[i], found.attrs[i], *c.context, t.render);
  if (as_array) w.EndArray();
  return {sb.GetString(), sb.GetSize()};
}

// 200, or 206 with the Content-Range the local part covers when it was cut.
http::Response temporal_response(const RequestContext& c, const TemporalRequest& t, const temporal::Coverage& cover,
                                 std::string body) {
  http::Response r = json_response(c, cover.truncated ? 206 : 200, std::move(body));
  if (cover.truncated)
    r.header("Content-Range", "date-time " + temporal::value_time(cover.start) + "-" + temporal::value_time(cover.end) +
                                  "/" + (t.last_n ? std::to_string(*t.last_n) : "*"));
  return r;
}

Error too_busy() {
  return {ErrorKind::ServiceUnavailable, "Too many forwarded requests",
          "every thread that asks context sources is busy; try again"};
}

// The local history (`found`, none when not held here) completed by the sources, on a forwarder
// thread.
void retrieve_forwarded(std::unique_ptr<RequestContext> c, Services& s, const std::string& id, TemporalRequest t,
                        std::optional<temporal::Histories> found, std::vector<federation::RegPtr> sources,
                        http::Reply& reply) {
  std::shared_ptr<RequestContext> held = std::move(c);
  auto job = [held, &s, id, t = std::move(t), found = std::move(found), sources = std::move(sources), reply]() {
    const RequestContext& c = *held;
    json::Document local;
    if (found)
      if (auto err = json::parse_stored(local, temporal_body(c, t, *found, false)); !err.empty())
        return reply(http::problem({ErrorKind::InternalError, "Unreadable history", err}));
    auto merged = retrieve_temporal_distributed(c, s, id, found ? &local : nullptr, sources, t);
    if (!merged) return reply(http::problem(not_found("no history for entity " + id)));
    reply(temporal_response(c, t, found ? found->cover : temporal::Coverage{}, json::to_string(*merged)));
  };
  if (!s.forwarder.submit(job)) reply(http::problem(too_busy()));
}

void get_temporal_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.params = params(kRetrieveParams, kTemporalRepresentationParams, kTemporalParams)},
               std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (auto st = check_id(id); !st) return reply(http::problem(st.error()));
    auto t = temporal_request(*c);
    if (!t) return reply(http::problem(t.error()));
    auto tenant = s.tenants.find(c->tenant);
    Result<temporal::Histories> found =
        tenant ? temporal::read_entity((*tenant)->history(), id, *t, s.options.temporal_max_instances)
               : std::unexpected(tenant.error());
    const bool held = found.has_value();
    if (!held && found.error().kind != ErrorKind::ResourceNotFound) return reply(http::problem(found.error()));
    if (held && c->readable_types &&
        std::none_of(found->entities[0].types.begin(), found->entities[0].types.end(),
                     [&](const std::string& type) { return c->readable_type(type); }))
      return reply(http::problem(not_found("no history for entity " + id)));
    auto sources =
        sources_for(*c, s, id, held ? found->entities[0].types : std::vector<std::string>{}, "retrieveTemporal");
    if (!sources.empty())
      return retrieve_forwarded(std::move(c), s, id, std::move(*t),
                                held ? std::optional(std::move(*found)) : std::nullopt, std::move(sources), reply);
    if (!held) return reply(http::problem(found.error()));
    reply(temporal_response(*c, *t, found->cover, temporal_body(*c, *t, *found, false)));
  });
}

void run_temporal_query(std::unique_ptr<RequestContext> c, Services& s, const query::Filter& f,
                        const TemporalRequest& t, http::Reply& reply) {
  auto page = page_from_params(*c, s.options);
  if (!page) return reply(http::problem(page.error()));
  auto sources = query_sources(*c, s, f, "queryTemporal");
  auto tenant = s.tenants.find(c->tenant);
  if (!tenant && !sources.empty()) tenant = s.tenants.find_or_create(c->tenant);  // the sources may have some
  if (!tenant) return reply(http::problem(tenant.error()));
  if (!sources.empty()) {
    // Every local match and every source's, merged in id order, then paged as one list.
    std::shared_ptr<RequestContext> held = std::move(c);
    auto job = [held, &s, f, t, page = *page, tenant = *tenant, sources = std::move(sources), reply]() {
      const RequestContext& c = *held;
      auto found = temporal::read_matching(tenant->history(), f, query::Page{.offset = 0, .limit = SIZE_MAX}, t,
                                           s.options.temporal_max_instances);
      if (!found) return reply(http::problem(found.error()));
      json::Document local;
      if (auto err = json::parse_stored(local, temporal_body(c, t, *found, true)); !err.empty())
        return reply(http::problem({ErrorKind::InternalError, "Unreadable history", err}));
      json::Document all = query_temporal_distributed(c, s, f, std::move(local), sources, t);
      const size_t total = all.Size();
      const size_t from = std::min(page.offset, total), to = std::min(total, from + page.limit);
      json::Document out;
      out.SetArray();
      for (size_t i = from; i < to; ++i)
        out.PushBack(json::Value(all[static_cast<unsigned>(i)], out.GetAllocator()), out.GetAllocator());
      http::Response r = temporal_response(c, t, found->cover, json::to_string(out));
      if (page.count) r.header("NGSILD-Results-Count", std::to_string(total));
      reply(std::move(r));
    };
    if (!s.forwarder.submit(job)) reply(http::problem(too_busy()));
    return;
  }
  auto found = temporal::read_matching((*tenant)->history(), f, *page, t, s.options.temporal_max_instances);
  if (!found) return reply(http::problem(found.error()));
  http::Response r = temporal_response(*c, t, found->cover, temporal_body(*c, t, *found, true));
  if (page->count) r.header("NGSILD-Results-Count", std::to_string(found->total));
  reply(std::move(r));
}

void query_temporal(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s,
               {.params = params(kSelectionParams, kPageParams, kTemporalRepresentationParams, kTemporalParams)},
               std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
                 auto f = filter_from_params(*c, true);
                 if (!f) return reply(http::problem(f.error()));
                 auto t = temporal_request(*c);
                 if (!t) return reply(http::problem(t.error()));
                 if (t->attrs.empty()) t->attrs = f->attrs;
                 run_temporal_query(std::move(c), s, *f, *t, reply);
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
    run_temporal_query(std::move(c), s, *f, *t, reply);
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
  with_request(req, s, {.body = true, .params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
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
std::optional<store::HistoryEntity> existing(Services& s, RequestContext& c, const std::string& id,
                                             http::Reply& reply) {
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
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid instanceId", "'" + p[2] + "' is not a URI"}));
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
  r.add(Method::Post, base, {http::Need::Write},
        [&s](const http::Request& q, const Params&, http::Reply y) { create_temporal_entity(q, s, std::move(y)); });
  r.add(Method::Get, base, {http::Need::Temporal},
        [&s](const http::Request& q, const Params&, http::Reply y) { query_temporal(q, s, std::move(y)); });
  r.add(Method::Get, base + "/{id}", {http::Need::Temporal},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_temporal_entity(q, p, s, std::move(y)); });
  r.add(
      Method::Delete, base + "/{id}", {http::Need::Write},
      [&s](const http::Request& q, const Params& p, http::Reply y) { delete_temporal_entity(q, p, s, std::move(y)); });
  r.add(Method::Post, base + "/{id}/attrs", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { add_temporal_attrs(q, p, s, std::move(y)); });
  r.add(Method::Delete, base + "/{id}/attrs/{attrId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { delete_temporal_attr(q, p, s, std::move(y)); });
  r.add(Method::Patch, base + "/{id}/attrs/{attrId}/{instanceId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) {
    write_temporal_instance(q, p, s, std::move(y), false);
  });
  r.add(Method::Delete, base + "/{id}/attrs/{attrId}/{instanceId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) {
    write_temporal_instance(q, p, s, std::move(y), true);
  });
  r.add(Method::Post, "/ngsi-ld/v1/temporal/entityOperations/query", {http::Need::Temporal},
        [&s](const http::Request& q, const Params&, http::Reply y) { query_temporal_by_body(q, s, std::move(y)); });
}

}  // namespace dejima::ngsild
