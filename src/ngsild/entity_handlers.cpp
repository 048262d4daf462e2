#include "ngsild/entity_handlers.h"

#include "model/mutate.h"
#include "model/parse.h"
#include "model/render.h"
#include "ngsild/distributed.h"
#include "ngsild/distributed_write.h"
#include "ngsild/handler_util.h"
#include "ngsild/linked_entities.h"
#include "ngsild/render_params.h"
#include "util/uri.h"

namespace dejima::ngsild {

bool has_option(const http::Request& req, std::string_view name) {
  const auto* opts = req.param("options");
  if (!opts) return false;
  for (const auto& o : split_list(*opts))
    if (o == name) return true;
  return false;
}

namespace {

using broker::EntityPtr;
using model::Entity;
using Params = std::vector<std::string>;

Error not_found(const std::string& id) { return Error{ErrorKind::ResourceNotFound, "Entity not found", id}; }

Status check_id(const std::string& id) {
  if (!is_absolute_uri(id)) return fail(ErrorKind::BadRequestData, "Invalid entity id", "'" + id + "' is not a URI");
  return {};
}

// Resolves the tenant for a request: existing only, or created on first write.
Result<broker::Tenant*> tenant_of(Services& s, const RequestContext& c, bool create) {
  return create ? s.tenants.find_or_create(c.tenant) : s.tenants.find(c.tenant);
}

std::string update_result_json(const model::UpdateResult& r, const jsonld::Context& ctx) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("updated");
  w.StartArray();
  for (const auto& n : r.updated) json::write_string(w, ctx.compact(n));
  w.EndArray();
  w.Key("notUpdated");
  w.StartArray();
  for (const auto& [n, reason] : r.not_updated) {
    w.StartObject();
    w.Key("attributeName");
    json::write_string(w, ctx.compact(n));
    w.Key("reason");
    json::write_string(w, reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

// Runs `mutate(entity)` on a copy of an existing entity and stores the result. `mutate` returns
// an error to abort. `after` builds the success response.
template <class Mutate, class After>
void modify_entity(Services& s, RequestContext& c, const std::string& id, http::Reply reply, Mutate&& mutate,
                   After&& after) {
  if (auto st = check_id(id); !st) return reply(http::problem(st.error()));
  auto tenant = tenant_of(s, c, false);
  if (!tenant) return reply(http::problem(tenant.error()));
  (*tenant)->apply(
      id,
      [&](const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
        if (!cur) return std::unexpected(not_found(id));
        auto next = std::make_shared<Entity>(*cur);
        if (auto st = mutate(*next); !st) return std::unexpected(st.error());
        return next;
      },
      [reply, after = std::forward<After>(after)](Status st) mutable {
    reply(st ? after() : http::problem(st.error()));
      });
}

void create_entity(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, s, {.body = true, .params = params(kLocalParam)}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto parsed = model::parse_entity(c->body, *c->context, model::ParseMode::Create);
    if (!parsed) return reply(http::problem(parsed.error()));
    switch (distribute(*c, s, {"createEntity", parsed->id.value_or(""), ""}, reply)) {
      case Split::Done: return;
      case Split::Local: parsed = model::parse_entity(c->body, *c->context, model::ParseMode::Create); break;
      case Split::None: break;
    }
    if (!parsed) return reply(http::problem(parsed.error()));
    auto tenant = tenant_of(s, *c, true);
    if (!tenant) return reply(http::problem(tenant.error()));
    auto entity = std::make_shared<Entity>(model::new_entity(std::move(*parsed), c->now));
    const std::string id = entity->id;
    (*tenant)->apply(
        id,
        [&](const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
          if (cur) return fail(ErrorKind::AlreadyExists, "Entity already exists", id);
          return entity;
        },
        [reply, id](Status st) {
      if (!st) return reply(http::problem(st.error()));
      http::Response r;
      r.status = 201;
      r.header("Location", "/ngsi-ld/v1/entities/" + id);
      reply(std::move(r));
        });
  });
}

// Answers a retrieval with `e`: the local entity, or the one merged with its sources' (null:
// not found). `tenant` is null when the tenant holds nothing locally.
void answer_entity(const RequestContext& c, const std::string& id, const broker::Tenant* tenant, EntityPtr e,
                   http::Reply reply) {
  const auto& req = c.req;
  auto opts = render_options(c);
  if (!opts) return reply(http::problem(opts.error()));
  if (!e || !c.readable(*e) || !model::projection_matches(*e, *opts)) return reply(http::problem(not_found(id)));
  if (const auto* types = req.param("type")) {
    bool match = false;
    for (const auto& t : split_list(*types)) match = match || e->has_type(c.context->expand(t));
    if (!match) return reply(http::problem(not_found(id)));
  }
  if (c.accept == MediaType::GeoJson) {
    std::string geo = c.context->expand("location");
    if (const auto* gp = req.param("geometryProperty")) geo = c.context->expand(*gp);
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    model::render_feature(w, *e, *c.context, *opts, geo);
    return reply(json_response(c, 200, std::string(sb.GetString(), sb.GetSize())));
  }
  auto join = join_options(c);
  if (!join) return reply(http::problem(join.error()));
  if (join->mode != JoinOptions::Mode::None && tenant) {
    // flat: an array of the entity and its linked entities; inline: the entity, nested.
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartArray();
    const size_t written = render_joined(w, {e}, *tenant, *c.context, *opts, *join);
    w.EndArray();
    std::string body(sb.GetString(), sb.GetSize());
    // One entity: inline always, flat when no linked entity was found.
    if (written == 1) body = body.substr(1, body.size() - 2);
    return reply(json_response(c, 200, std::move(body)));
  }
  const bool plain = c.context->is_core() && c.accept == MediaType::Json && req.query.empty();
  if (plain) {
    // The most common request: cache its body on the (immutable) entity snapshot.
    return reply(json_response(c, 200, model::cached_body(*e)));
  }
  reply(json_response(c, 200, model::render_entity(*e, *c.context, *opts)));
}

void get_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {.offer = {.geo = true}, .params = params(kRetrieveParams, kRepresentationParams)},
               std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
                 const std::string& id = p[0];
                 if (auto st = check_id(id); !st) return reply(http::problem(st.error()));
                 auto tenant = tenant_of(s, *c, false);
                 const broker::Tenant* local = tenant ? *tenant : nullptr;
                 EntityPtr e = local ? local->get(id) : nullptr;
                 // One the caller may not read here is not completed by sources either.
                 if (e && !c->readable(*e)) return answer_entity(*c, id, local, std::move(e), std::move(reply));
                 auto sources = sources_for(*c, s, id, types_of(e.get()), "retrieveEntity");
                 if (!tenant && sources.empty()) return reply(http::problem(tenant.error()));
                 if (sources.empty()) return answer_entity(*c, id, local, std::move(e), std::move(reply));
                 std::vector<std::string> attrs;
                 if (const auto* a = req.param("attrs"))
                   for (const auto& name : split_list(*a)) attrs.push_back(c->context->expand(name));
                 std::shared_ptr<RequestContext> held(std::move(c));
                 auto job = [&s, held, id, local, e, sources = std::move(sources), attrs, reply]() mutable {
                   EntityPtr merged = retrieve_distributed(*held, s, id, e.get(), sources, attrs);
                   answer_entity(*held, id, local, std::move(merged), std::move(reply));
                 };
                 if (!s.forwarder.submit(job))
                   reply(http::problem(Error{ErrorKind::ServiceUnavailable, "Too many forwarded requests",
                                             "every thread that asks context sources is busy; try again"}));
               });
}

void delete_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (auto st = check_id(id); !st) return reply(http::problem(st.error()));
    if (distribute(*c, s, {"deleteEntity", id, ""}, reply) == Split::Done) return;
    auto tenant = tenant_of(s, *c, false);
    if (!tenant) return reply(http::problem(tenant.error()));
    (*tenant)->apply(
        id,
        [&](const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
          if (!cur) return std::unexpected(not_found(id));
          return nullptr;
        },
        reply_no_content(std::move(reply)));
  });
}

// PUT (replace) and PATCH (merge-patch) of a whole entity: parse the body in `mode`, then
// `apply(entity, parsed, now)` on a copy of the current entity.
void rewrite_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply, model::ParseMode mode,
                    void (*apply)(Entity&, model::ParsedEntity&&, Millis)) {
  const bool merge = mode == model::ParseMode::MergePatch;
  with_request(req, s, {.body = true, .merge_patch = merge}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    auto parsed = model::parse_entity(c->body, *c->context, mode);
    if (!parsed) return reply(http::problem(parsed.error()));
    if (parsed->id && *parsed->id != id)
      return reply(http::problem(
          Error{ErrorKind::BadRequestData, "Entity id mismatch", "the body's id differs from the id in the path"}));
    switch (distribute(*c, s, {merge ? "mergeEntity" : "replaceEntity", id, ""}, reply)) {
      case Split::Done: return;
      case Split::Local: parsed = model::parse_entity(c->body, *c->context, mode); break;
      case Split::None: break;
    }
    if (!parsed) return reply(http::problem(parsed.error()));
    const Millis now = c->now;
    modify_entity(
        s, *c, id, std::move(reply),
        [&](Entity& e) -> Status {
          apply(e, std::move(*parsed), now);
          return {};
        },
        [] { return no_content(); });
  });
}

// POST (append) and PATCH (update) of /entities/{id}/attrs: 204 when every attribute was
// written, 207 with an UpdateResult otherwise.
void write_attrs(const http::Request& req, const Params& p, Services& s, http::Reply reply, bool append) {
  with_request(req, s, {.body = true}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    auto parsed = model::parse_entity(c->body, *c->context, model::ParseMode::Fragment);
    if (!parsed) return reply(http::problem(parsed.error()));
    if (parsed->attrs.empty() && parsed->nulls.empty() && parsed->types.empty() && !parsed->scopes)
      return reply(http::problem(Error{ErrorKind::BadRequestData, "No attributes", "the body has no attributes"}));
    if (parsed->id && *parsed->id != id)
      return reply(http::problem(
          Error{ErrorKind::BadRequestData, "Entity id mismatch", "the body's id differs from the id in the path"}));
    switch (distribute(*c, s, {append ? "appendAttrs" : "updateEntity", id, ""}, reply)) {
      case Split::Done: return;
      case Split::Local: parsed = model::parse_entity(c->body, *c->context, model::ParseMode::Fragment); break;
      case Split::None: break;
    }
    if (!parsed) return reply(http::problem(parsed.error()));
    const bool no_overwrite = has_option(req, "noOverwrite");
    auto result = std::make_shared<model::UpdateResult>();
    const Millis now = c->now;
    auto ctx = c->context;
    auto accept_ctx = std::shared_ptr<RequestContext>(std::move(c));
    modify_entity(
        s, *accept_ctx, id, std::move(reply),
        [&](Entity& e) -> Status {
          *result = append ? model::append_attrs(e, std::move(*parsed), no_overwrite, now)
                           : model::update_attrs(e, std::move(*parsed), now);
          return {};
        },
        [result, ctx, accept_ctx] {
      if (result->not_updated.empty()) return no_content();
      http::Response r = json_response(*accept_ctx, 207, update_result_json(*result, *ctx));
      r.content_type = "application/json";
      return r;
        });
  });
}

// PATCH (partial update) and PUT (replace) of /entities/{id}/attrs/{attrId}.
void write_attr(const http::Request& req, const Params& p, Services& s, http::Reply reply, bool replace) {
  with_request(req, s, {.body = true, .merge_patch = !replace}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    if (!model::valid_name(p[1]))
      return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid attribute name", p[1]}));
    const std::string name = c->context->expand(p[1]);
    if (!c->body.IsObject())
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid attribute", "the body must be a JSON object"}));
    // The source gets the body as sent (validated by the source when none of it is written here).
    if (distribute(*c, s, {replace ? "replaceAttrs" : "updateAttrs", id, name}, reply) == Split::Done) return;
    c->body.RemoveMember("@context");
    std::vector<model::AttrInstance> insts, nulls;
    if (auto st = model::parse_attribute(name, c->body, *c->context, !replace, insts, &nulls, !replace); !st)
      return reply(http::problem(st.error()));
    // A partial update whose value is NGSI-LD Null deletes the instance.
    const bool remove = !nulls.empty();
    // A partial update may change an instance's members, not its attribute type.
    std::optional<std::string> patch_type;
    if (auto t = c->body.FindMember("type"); t != c->body.MemberEnd() && t->value.IsString())
      patch_type = std::string(json::view(t->value));
    auto inst = std::make_shared<model::AttrInstance>(std::move(remove ? nulls.front() : insts.front()));
    const Millis now = c->now;
    modify_entity(
        s, *c, id, std::move(reply),
        [&](Entity& e) -> Status {
          return replace ? model::replace_attribute(e, *inst, p[1], now)
                         : model::patch_attribute(e, *inst, remove, patch_type, p[1], now);
        },
        [] { return no_content(); });
  });
}

void delete_attr(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, s, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string& id = p[0];
    const std::string name = c->context->expand(p[1]);
    std::string dataset_id;
    if (const auto* d = req.param("datasetId")) {
      if (!is_absolute_uri(*d))
        return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid datasetId", "datasetId must be a URI"}));
      dataset_id = *d;
    }
    bool all = false;
    if (const auto* d = req.param("deleteAll")) {
      if (*d != "true" && *d != "false")
        return reply(
            http::problem(Error{ErrorKind::BadRequestData, "Invalid deleteAll", "deleteAll must be true or false"}));
      all = *d == "true";
    }
    if (distribute(*c, s, {"deleteAttrs", id, name}, reply) == Split::Done) return;
    const Millis now = c->now;
    modify_entity(
        s, *c, id, std::move(reply),
        [&](Entity& e) -> Status { return model::delete_attribute(e, p[1], name, dataset_id, all, now); },
        [] { return no_content(); });
  });
}

}  // namespace

void add_entity_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string base = "/ngsi-ld/v1/entities";
  r.add(Method::Post, base, {http::Need::Write},
        [&s](const http::Request& q, const Params&, http::Reply y) { create_entity(q, s, std::move(y)); });
  r.add(Method::Get, base + "/{id}", {http::Need::Read},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_entity(q, p, s, std::move(y)); });
  r.add(Method::Put, base + "/{id}", {http::Need::Write}, [&s](const http::Request& q, const Params& p, http::Reply y) {
    rewrite_entity(q, p, s, std::move(y), model::ParseMode::Replace, &model::replace_entity);
  });
  r.add(Method::Patch, base + "/{id}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) {
    rewrite_entity(q, p, s, std::move(y), model::ParseMode::MergePatch, &model::merge_entity);
  });
  r.add(Method::Delete, base + "/{id}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { delete_entity(q, p, s, std::move(y)); });
  r.add(Method::Post, base + "/{id}/attrs", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { write_attrs(q, p, s, std::move(y), true); });
  r.add(Method::Patch, base + "/{id}/attrs", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { write_attrs(q, p, s, std::move(y), false); });
  r.add(Method::Patch, base + "/{id}/attrs/{attrId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { write_attr(q, p, s, std::move(y), false); });
  r.add(Method::Put, base + "/{id}/attrs/{attrId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { write_attr(q, p, s, std::move(y), true); });
  r.add(Method::Delete, base + "/{id}/attrs/{attrId}", {http::Need::Write},
        [&s](const http::Request& q, const Params& p, http::Reply y) { delete_attr(q, p, s, std::move(y)); });
}

}  // namespace dejima::ngsild
