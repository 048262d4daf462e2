#include "ngsiv2/batch_handlers.h"

#include "http/problem.h"
#include "model/mutate.h"
#include "ngsiv2/handler_util.h"

namespace dejima::ngsiv2 {
namespace {

using broker::EntityPtr;
using model::Entity;

enum class Action { Append, AppendStrict, Update, Replace, Delete };

Result<Action> action_of(const json::Value& body) {
  const auto* a = json::member(body, "actionType");
  if (!a) return std::unexpected(bad_request("Invalid JSON payload, mandatory field /actionType/ not found"));
  if (!a->IsString()) return std::unexpected(bad_request("invalid JSON type for actionType"));
  std::string_view t = json::view(*a);
  if (t == "append" || t == "APPEND") return Action::Append;
  if (t == "appendStrict" || t == "APPEND_STRICT") return Action::AppendStrict;
  if (t == "update" || t == "UPDATE") return Action::Update;
  if (t == "replace" || t == "REPLACE") return Action::Replace;
  if (t == "delete" || t == "DELETE") return Action::Delete;
  // Orion's text, its misspelling included (clients may match it)
  return std::unexpected(
      bad_request("invalid update action type: right ones are: append, appendStric, delete, replace, update"));
}

// The next version of one entity under the action (nullptr deletes it).
Result<std::shared_ptr<Entity>> change(Action action, const RequestContext& c, const json::Value& item,
                                       model::ParsedEntity p, const EntityPtr& cur) {
  const std::string id = *p.id;
  const std::string type = p.types.empty() ? std::string() : v2_name(p.types.front());
  const bool typed = json::member(item, "type") != nullptr;
  if (cur && (!names_entity(c, *cur, typed ? &type : nullptr, true))) {
    if (action == Action::Append || action == Action::AppendStrict)
      return std::unexpected(unprocessable("Already Exists"));
    return std::unexpected(not_found(std::string(kEntityNotFound)));
  }
  if (!cur) {
    if (action != Action::Append && action != Action::AppendStrict)
      return std::unexpected(not_found(std::string(kEntityNotFound)));
    return std::make_shared<Entity>(model::new_entity(std::move(p), c.now));
  }
  auto next = std::make_shared<Entity>(*cur);
  std::vector<std::string> existing, missing;
  for (const auto& a : p.attrs) (cur->find(a.name, a.dataset_id) ? existing : missing).push_back(v2_name(a.name));
  switch (action) {
    case Action::AppendStrict:
      if (!existing.empty())
        return std::unexpected(unprocessable("one or more of the attributes in the request already exist: " + id +
                                             " - " + names_list(existing)));
      [[fallthrough]];
    case Action::Append:
    case Action::Update:
      if (action == Action::Update && !missing.empty())
        return std::unexpected(unprocessable("do not exist: " + id + " - " + names_list(missing)));
      for (auto& a : p.attrs)
        if (const auto* old = cur->find(a.name, a.dataset_id)) keep_metadata(a, *old);
      p.types.clear();
      p.scopes.reset();
      (void)model::append_attrs(*next, std::move(p), false, c.now);  // nothing is refused without noOverwrite
      return next;
    case Action::Replace:
      p.types = cur->types;
      p.scopes = cur->scopes;
      return std::make_shared<Entity>(model::replaced_entity(*cur, std::move(p), c.now));
    case Action::Delete:
      if (p.attrs.empty()) return nullptr;
      if (!missing.empty()) return std::unexpected(unprocessable("do not exist: " + id + " - " + names_list(missing)));
      for (const auto& a : p.attrs) next->erase(a.name, "", true);
      next->modified_at = c.now;
      return next;
  }
  return next;
}

void op_update(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const json::Value& body = c->body;
    if (!body.IsObject()) return reply(error_response(*c, parse_error("Errors found in incoming JSON buffer")));
    if (body.ObjectEmpty()) return reply(error_response(*c, bad_request("empty payload")));
    for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m)
      if (json::view(m->name) != "actionType" && json::view(m->name) != "entities")
        return reply(error_response(
            *c, bad_request("Unrecognized field in JSON payload: /" + std::string(json::view(m->name)) + "/")));
    auto action = action_of(body);
    if (!action) return reply(error_response(*c, action.error()));
    const auto* entities = json::member(body, "entities");
    if (!entities)
      return reply(error_response(*c, bad_request("Invalid JSON payload, mandatory field /entities/ not found")));
    if (!entities->IsArray()) return reply(error_response(*c, bad_request("invalid JSON type for entities")));
    if (entities->Empty()) return reply(error_response(*c, bad_request("empty entities vector")));
    const bool key_values = has_option(*c, "keyValues");
    std::vector<model::ParsedEntity> parsed;
    std::vector<std::string> ids;
    for (const auto& e : entities->GetArray()) {
      if (e.IsObject() && !e.HasMember("id"))
        return reply(error_response(
            *c, e.HasMember("idPattern") ? Error{ErrorKind::OperationNotSupported, "NotImplemented", "NotImplemented"}
                                         : bad_request("nor /id/ nor /idPattern/ present")));
      auto p = parse_entity(e, BodyKind::Entity, key_values, c->write_path());
      if (!p) return reply(error_response(*c, p.error()));
      ids.push_back(*p->id);
      parsed.push_back(std::move(*p));
    }
    const bool creates = *action == Action::Append || *action == Action::AppendStrict;
    auto tenant = creates ? s.tenants.find_or_create(c->tenant) : s.tenants.find(c->tenant);
    if (!tenant) return reply(error_response(*c, not_found(std::string(kEntityNotFound))));
    const Action act = *action;
    const RequestContext& ctx = *c;
    (*tenant)->apply_batch(
        ids,
        [&](size_t i, const EntityPtr& cur) {
      return change(act, ctx, entities->GetArray()[static_cast<rapidjson::SizeType>(i)], parsed[i], cur);
        },
        [reply = std::move(reply), corr = c->correlator](std::vector<Status> items, Status commit) {
      Status st = commit;
      for (auto& item : items)
        if (st && !item) st = std::move(item);
      http::Response r;
      if (st)
        r.status = 204;
      else
        r = http::orion_error(st.error());
      r.header("Fiware-Correlator", corr);
      reply(std::move(r));
    });
  });
}

}  // namespace

void add_batch_routes(http::Router& r, Services& s) {
  r.add(http::Method::Post, "/v2/op/update", {http::Need::Write},
        [&s](const http::Request& req, const Params&, http::Reply reply) { op_update(req, s, std::move(reply)); });
}

}  // namespace dejima::ngsiv2
