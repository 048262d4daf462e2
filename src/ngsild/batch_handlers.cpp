#include "ngsild/batch_handlers.h"

#include "http/problem.h"
#include "model/mutate.h"
#include "model/parse.h"
#include "ngsild/distributed_write.h"
#include "ngsild/handler_util.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using broker::EntityPtr;
using model::Entity;
using Params = std::vector<std::string>;

enum class Op { Create, Upsert, Update, Delete, Merge };

// The operation's name in registrations (clause 4.3.6.3).
std::string_view operation_name(Op op) {
  switch (op) {
    case Op::Create: return "createBatch";
    case Op::Upsert: return "upsertBatch";
    case Op::Update: return "updateBatch";
    case Op::Delete: return "deleteBatch";
    case Op::Merge: return "mergeBatch";
  }
  return "";
}

// One item of the request array: its id (when readable), and either a parsed entity or the
// reason it was rejected before reaching the tenant.
struct Item {
  std::string id;
  std::optional<model::ParsedEntity> entity;
  std::optional<Error> error;
};

// BatchOperationResult (clause 5.2.16): {"success": [ids], "errors": [{entityId, error}]}.
std::string batch_result(const std::vector<std::string>& success,
                         const std::vector<std::pair<std::string, Error>>& errors) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("success");
  w.StartArray();
  for (const auto& id : success) json::write_string(w, id);
  w.EndArray();
  w.Key("errors");
  w.StartArray();
  for (const auto& [id, e] : errors) {
    w.StartObject();
    w.Key("entityId");
    json::write_string(w, id);
    w.Key("error");
    http::write_problem(w, e);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::string id_array(const std::vector<std::string>& ids) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartArray();
  for (const auto& id : ids) json::write_string(w, id);
  w.EndArray();
  return {sb.GetString(), sb.GetSize()};
}

// Parses every element of the body; an element that fails is an item with an error.
std::vector<Item> parse_items(RequestContext& c, Services& s, Op op) {
  std::vector<Item> items;
  items.reserve(c.body.Size());
  const model::ParseMode mode = op == Op::Create || op == Op::Upsert ? model::ParseMode::Create
                                : op == Op::Merge                    ? model::ParseMode::MergePatch
                                                                     : model::ParseMode::Fragment;
  for (auto& v : c.body.GetArray()) {
    Item item;
    if (op == Op::Delete) {
      if (!v.IsString() || !is_absolute_uri(json::view(v)))
        item.error =
            Error{ErrorKind::BadRequestData, "Invalid entity id", "every element must be an entity id (a URI)"};
      if (v.IsString()) item.id = json::view(v);
      items.push_back(std::move(item));
      continue;
    }
    if (v.IsObject() && v.HasMember("id") && v["id"].IsString()) item.id = json::view(v["id"]);
    std::shared_ptr<const jsonld::Context> ctx = c.context;
    if (c.body_is_jsonld) {
      if (!v.IsObject() || !v.HasMember("@context")) {
        item.error = Error{ErrorKind::BadRequestData, "Missing @context",
                           "with application/ld+json every entity needs an \"@context\""};
        items.push_back(std::move(item));
        continue;
      }
      auto resolved = s.contexts.from_inline(v["@context"]);
      if (!resolved) {
        item.error = resolved.error();
        items.push_back(std::move(item));
        continue;
      }
      ctx = std::move(*resolved);
    } else if (v.IsObject() && v.HasMember("@context")) {
      item.error = Error{ErrorKind::BadRequestData, "@context not allowed", "use application/ld+json to send @context"};
      items.push_back(std::move(item));
      continue;
    }
    auto parsed = model::parse_entity(v, *ctx, mode);
    if (!parsed)
      item.error = parsed.error();
    else if (!parsed->id)
      item.error = Error{ErrorKind::BadRequestData, "Missing id", "every entity needs an id"};
    else
      item.entity = std::move(*parsed);
    items.push_back(std::move(item));
  }
  return items;
}

void batch(const http::Request& req, Services& s, http::Reply reply, Op op) {
  with_request(req, s, {.body = true, .merge_patch = false}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (!c->body.IsArray() || c->body.Empty())
      return reply(
          http::problem(Error{ErrorKind::BadRequestData, "Invalid batch", "the body must be a non-empty JSON array"}));
    bool replace = true, no_overwrite = false;
    if (const auto* options = req.param("options")) {
      if (op == Op::Upsert && (*options == "replace" || *options == "update"))
        replace = *options == "replace";
      else if (op == Op::Update && *options == "noOverwrite")
        no_overwrite = true;
      else
        return reply(http::problem(
            Error{ErrorKind::BadRequestData, "Invalid options", "unsupported options '" + *options + "'"}));
    }
    if (distribute_batch(*c, s, operation_name(op), reply) == Split::Done) return;
    auto tenant =
        op == Op::Create || op == Op::Upsert ? s.tenants.find_or_create(c->tenant) : s.tenants.find(c->tenant);
    if (!tenant) return reply(http::problem(tenant.error()));

    auto items = std::make_shared<std::vector<Item>>(parse_items(*c, s, op));
    auto created = std::make_shared<std::vector<bool>>(items->size(), false);
    auto partial = std::make_shared<std::vector<std::optional<Error>>>(items->size());
    std::vector<std::string> ids;
    std::vector<size_t> index;  // position in items of each id sent to the tenant
    for (size_t i = 0; i < items->size(); ++i)
      if (!(*items)[i].error) {
        ids.push_back((*items)[i].id);
        index.push_back(i);
      }
    const Millis now = c->now;
    auto not_found = [](const std::string& id) { return Error{ErrorKind::ResourceNotFound, "Entity not found", id}; };
    (*tenant)->apply_batch(
        ids,
        [&](size_t k, const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
          const size_t i = index[k];
          Item& item = (*items)[i];
          switch (op) {
            case Op::Delete:
              if (!cur) return std::unexpected(not_found(item.id));
              return nullptr;
            case Op::Create:
              if (cur) return fail(ErrorKind::AlreadyExists, "Entity already exists", item.id);
              (*created)[i] = true;
              return std::make_shared<Entity>(model::new_entity(std::move(*item.entity), now));
            case Op::Upsert: {
              if (!cur) {
                (*created)[i] = true;
                return std::make_shared<Entity>(model::new_entity(std::move(*item.entity), now));
              }
              if (replace) return std::make_shared<Entity>(model::replaced_entity(*cur, std::move(*item.entity), now));
              auto next = std::make_shared<Entity>(*cur);
              (void)model::append_attrs(*next, std::move(*item.entity), false, now);
              return next;
            }
            case Op::Update: {
              if (!cur) return std::unexpected(not_found(item.id));
              auto next = std::make_shared<Entity>(*cur);
              auto result = model::append_attrs(*next, std::move(*item.entity), no_overwrite, now);
              if (!result.not_updated.empty()) {  // written, but reported: noOverwrite kept these
                std::string kept;
                for (const auto& [name, reason] : result.not_updated)
                  kept += (kept.empty() ? "" : ", ") + c->context->compact(name);
                (*partial)[i] = Error{ErrorKind::AlreadyExists, "Attributes not overwritten",
                                      "options=noOverwrite kept the existing " + kept};
              }
              return next;
            }
            case Op::Merge: {
              if (!cur) return std::unexpected(not_found(item.id));
              auto next = std::make_shared<Entity>(*cur);
              model::merge_entity(*next, std::move(*item.entity), now);
              return next;
            }
          }
          return fail(ErrorKind::InternalError, "unknown operation", "");
        },
        [reply, items, created, partial, index, op](std::vector<Status> statuses, Status commit) {
      if (!commit) return reply(http::problem(commit.error()));
      for (size_t k = 0; k < statuses.size(); ++k)
        if (!statuses[k])
          (*items)[index[k]].error = statuses[k].error();
        else if ((*partial)[index[k]])
          (*items)[index[k]].error = (*partial)[index[k]];
      std::vector<std::string> success, created_ids;
      std::vector<std::pair<std::string, Error>> errors;
      for (size_t i = 0; i < items->size(); ++i) {
        const Item& item = (*items)[i];
        if (item.error)
          errors.emplace_back(item.id, *item.error);
        else {
          success.push_back(item.id);
          if ((*created)[i]) created_ids.push_back(item.id);
        }
      }
      http::Response r;
      if (!errors.empty()) {
        r.status = 207;
        r.content_type = "application/json";
        r.body = batch_result(success, errors);
      } else if ((op == Op::Create || op == Op::Upsert) && !created_ids.empty()) {
        r.status = 201;
        r.content_type = "application/json";
        r.body = id_array(created_ids);
      } else {
        r.status = 204;
      }
      reply(std::move(r));
        });
  });
}

}  // namespace

void add_batch_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string base = "/ngsi-ld/v1/entityOperations/";
  static constexpr std::pair<const char*, Op> kOps[] = {{"create", Op::Create},
                                                        {"upsert", Op::Upsert},
                                                        {"update", Op::Update},
                                                        {"delete", Op::Delete},
                                                        {"merge", Op::Merge}};
  for (const auto& [name, op] : kOps)
    r.add(Method::Post, base + name, {http::Need::Write},
          [&s, op = op](const http::Request& q, const Params&, http::Reply y) { batch(q, s, std::move(y), op); });
}

}  // namespace dejima::ngsild
