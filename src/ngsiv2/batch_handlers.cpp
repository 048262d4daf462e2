#include "ngsiv2/batch_handlers.h"

#include <algorithm>
#include <iterator>

#include "http/problem.h"
#include "model/mutate.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/handler_util.h"
#include "ngsiv2/update_operators.h"

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

// What became of one entity of the request, for Orion's summary of a refused part.
struct Outcome {
  std::string label;                 // "E/T"
  bool missing = false;              // the entity does not exist
  std::vector<std::string> refused;  // attributes missing (update, delete) or existing (appendStrict)
  bool wrote = false;                // something of it was written
};

// The next version of one entity under the action (nullptr deletes it). Attributes the action
// refuses are left out and listed in `out`; the rest is written, as Orion does.
Result<std::shared_ptr<Entity>> change(Action action, const RequestContext& c, const json::Value& item,
                                       model::ParsedEntity p, const AttrOps& ops, const EntityPtr& cur, Outcome& out) {
  const std::string type = p.types.empty() ? std::string() : v2_name(p.types.front());
  const bool typed = json::member(item, "type") != nullptr;
  out.label = entity_label(*p.id, typed ? &type : nullptr);
  if (cur && !names_entity(c, *cur, typed ? &type : nullptr, true)) {
    if (action == Action::Append || action == Action::AppendStrict)
      return std::unexpected(unprocessable("Already Exists"));
    out.missing = true;
    return std::unexpected(not_found(std::string(kEntityNotFound)));
  }
  if (!cur) {
    if (action != Action::Append && action != Action::AppendStrict) {
      out.missing = true;
      return std::unexpected(not_found(std::string(kEntityNotFound)));
    }
    if (auto st = resolve_operators(p, ops, nullptr, OpMode::Create); !st) return std::unexpected(st.error());
    out.wrote = true;
    return std::make_shared<Entity>(model::new_entity(std::move(p), c.now));
  }
  auto next = std::make_shared<Entity>(*cur);
  const bool refuse_existing = action == Action::AppendStrict;
  if (action == Action::AppendStrict || action == Action::Update || action == Action::Delete) {
    for (const auto& a : p.attrs)
      if ((cur->find(a.name, a.dataset_id) != nullptr) == refuse_existing) out.refused.push_back(v2_name(a.name));
    std::erase_if(p.attrs, [&](const model::AttrInstance& a) {
      return (cur->find(a.name, a.dataset_id) != nullptr) == refuse_existing;
    });
    if (!out.refused.empty() && p.attrs.empty()) return std::unexpected(unprocessable("nothing to write"));
  }
  if (action != Action::Delete)
    if (auto st = resolve_operators(p, ops, cur.get(), action == Action::Replace ? OpMode::Create : OpMode::Update);
        !st)
      return std::unexpected(st.error());
  out.wrote = true;
  switch (action) {
    case Action::AppendStrict:
    case Action::Append:
    case Action::Update:
      keep_metadata(*cur, p);
      p.types.clear();
      p.scopes.reset();
      (void)model::append_attrs(*next, std::move(p), false, c.now);  // nothing is refused without noOverwrite
      return next;
    case Action::Replace:
      p.types = cur->types;
      p.scopes = cur->scopes;
      return std::make_shared<Entity>(model::replaced_entity(*cur, std::move(p), c.now));
    case Action::Delete:
      if (p.attrs.empty() && out.refused.empty()) return nullptr;
      for (const auto& a : p.attrs) next->erase(a.name, "", true);
      next->modified_at = c.now;
      return next;
  }
  return next;
}

// Orion's answer to a request of which some entities or attributes were refused: 404 when no
// entity exists, PartialUpdate when something was written, Unprocessable otherwise; the text lists
// each refused entity ("E/T - [ A ]", and "E/T [entity itself]" for a missing one after the first).
Status summary(Action action, const std::vector<Outcome>& outcomes, const std::vector<Status>& items) {
  std::string text;
  bool all_missing = true, wrote = false, refused = false;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    wrote = wrote || (o.wrote && items[i]);
    all_missing = all_missing && o.missing;
    if (!o.missing && o.refused.empty()) {
      if (!items[i]) return std::unexpected(items[i].error());  // an error of its own (Already Exists)
      continue;
    }
    refused = true;
    if (!text.empty()) text += ", ";
    text += o.label;
    text += o.missing ? (text.size() == o.label.size() ? " - [entity itself]" : " [entity itself]")
                      : " - " + names_list(o.refused);
  }
  if (!refused) return {};
  text = (action == Action::AppendStrict ? "one or more of the attributes in the request already exist: "
                                         : "do not exist: ") +
         text;
  if (all_missing) return std::unexpected(Error{ErrorKind::ResourceNotFound, "NotFound", text});
  return std::unexpected(unprocessable(text, wrote));
}

// How a batch answers: op/update with 204 or Orion's summary of what was refused, op/notify with
// 200 whatever each entity met (as Orion, which only logs it).
enum class Answer { Update, Notify };

// Writes the entities of `entities` (an array of entity bodies in `c`'s body) under the action.
void write_entities(Services& s, std::unique_ptr<RequestContext> c, Action action, const json::Value* entities,
                    bool key_values, Answer answer, http::Reply reply) {
  std::vector<model::ParsedEntity> parsed;
  std::vector<AttrOps> ops;  // per entity
  std::vector<std::pair<std::string, std::string>> operated;
  std::vector<std::string> ids;
  for (const auto& e : entities->GetArray()) {
    if (e.IsObject() && !e.HasMember("id"))
      return reply(error_response(*c, e.HasMember("idPattern")
                                          ? Error{ErrorKind::OperationNotSupported, "NotImplemented", "NotImplemented"}
                                          : bad_request("nor /id/ nor /idPattern/ present")));
    auto p = parse_entity(e, BodyKind::Entity, key_values, c->write_path(), &ops.emplace_back());
    if (!p) return reply(error_response(*c, p.error()));
    std::ranges::move(operated_names(*p->id, ops.back()), std::back_inserter(operated));
    ids.push_back(*p->id);
    parsed.push_back(std::move(*p));
  }
  const RequestContext& ctx = *c;
  // An update's attributes registered with a provider that the entity here lacks go to the
  // provider; an entity all of whose attributes went there is not written here.
  std::vector<size_t> kept;  // the entities written here, as indexes of the request's
  std::vector<UpdateForward> forwards;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (action == Action::Update && s.registrations.any(c->tenant)) {
      const bool typed = json::member(entities->GetArray()[static_cast<rapidjson::SizeType>(i)], "type");
      const std::string type = typed ? v2_name(parsed[i].types.front()) : std::string();
      auto f = plan_update(s, ctx, find_entity(s, ctx, ids[i], typed ? &type : nullptr, true).get(), ids[i],
                           typed ? &type : nullptr, parsed[i]);
      const bool all_forwarded = !f.empty() && parsed[i].attrs.empty();
      std::move(f.begin(), f.end(), std::back_inserter(forwards));
      if (all_forwarded) continue;
    }
    kept.push_back(i);
  }
  if (!forwards.empty()) {
    std::shared_ptr<const RequestContext> held(std::move(c));
    if (kept.empty()) return answer_updates(s, held, std::move(forwards), std::nullopt, std::move(reply));
    reply = [&s, held, forwards = std::move(forwards), reply = std::move(reply)](http::Response&& local) mutable {
      answer_updates(s, held, std::move(forwards), std::move(local), std::move(reply));
    };
  }
  std::vector<std::string> kept_ids;
  for (size_t i : kept) kept_ids.push_back(ids[i]);
  const bool creates = action == Action::Append || action == Action::AppendStrict;
  auto tenant = creates ? s.tenants.find_or_create(ctx.tenant) : s.tenants.find(ctx.tenant);
  if (!tenant) return reply(error_response(ctx, not_found(std::string(kEntityNotFound))));
  auto outcomes = std::make_shared<std::vector<Outcome>>(kept.size());
  (*tenant)->apply_batch(
      kept_ids,
      [&](size_t j, const EntityPtr& cur) {
    const size_t i = kept[j];
    return change(action, ctx, entities->GetArray()[static_cast<rapidjson::SizeType>(i)], parsed[i], ops[i], cur,
                  (*outcomes)[j]);
      },
      [reply = std::move(reply), corr = ctx.correlator, action, outcomes, answer](std::vector<Status> items,
                                                                                  Status commit) {
    Status st = commit && answer == Answer::Update ? summary(action, *outcomes, items) : commit;
    http::Response r;
    if (st)
      r.status = answer == Answer::Update ? 204 : 200;
    else
      r = http::orion_error(st.error());
    r.header("Fiware-Correlator", corr);
    reply(std::move(r));
  },
      broker::Tenant::History::Keep, ctx.origin(std::move(operated)));
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
    write_entities(s, std::move(c), *action, entities, key_values, Answer::Update, std::move(reply));
  });
}

// POST /v2/op/notify: a notification's entities (normalized) appended, as Orion does with them.
void op_notify(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const std::string_view format = req.header("Ngsiv2-AttrsFormat");
    if (!format.empty() && format != "normalized")
      return reply(error_response(
          *c, bad_request(format == "keyValues" || format == "uniqueValues" || format == "custom"
                              ? "attribute render format /" + std::string(format) + "/ not supported for notifications"
                              : std::string("invalid render format for notifications"))));
    const json::Value& body = c->body;
    if (!body.IsObject()) return reply(error_response(*c, parse_error("Errors found in incoming JSON buffer")));
    if (body.ObjectEmpty()) return reply(error_response(*c, bad_request("empty payload")));
    if (!body.HasMember("subscriptionId"))
      return reply(error_response(*c, bad_request("invalid JSON payload, mandatory field /subscriptionId/ not found")));
    if (!body.HasMember("data"))
      return reply(error_response(*c, bad_request("Invalid JSON payload, mandatory field /data/ not found")));
    for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
      const std::string_view k = json::view(m->name);
      if (k == "subscriptionId" && !m->value.IsString())
        return reply(error_response(*c, bad_request("/subscriptionId/ must be a JSON string")));
      if (k == "data" && !m->value.IsArray())
        return reply(error_response(*c, bad_request("notification field /data/ must be a JSON array")));
      if (k != "subscriptionId" && k != "data")
        return reply(error_response(*c, bad_request("Unrecognized field in JSON payload: /" + std::string(k) + "/")));
    }
    const json::Value& data = body["data"];
    for (const auto& e : data.GetArray())
      if (!e.IsObject())
        return reply(error_response(*c, bad_request("notification data vector item must be a JSON object")));
    if (data.Empty()) {
      http::Response r;
      r.status = 200;
      r.header("Fiware-Correlator", c->correlator);
      return reply(std::move(r));
    }
    write_entities(s, std::move(c), Action::Append, &data, false, Answer::Notify, std::move(reply));
  });
}

}  // namespace

void add_batch_routes(http::Router& r, Services& s) {
  r.add(http::Method::Post, "/v2/op/update", {http::Need::Write},
        [&s](const http::Request& req, const Params&, http::Reply reply) { op_update(req, s, std::move(reply)); });
  r.add(http::Method::Post, "/v2/op/notify", {http::Need::Write},
        [&s](const http::Request& req, const Params&, http::Reply reply) { op_notify(req, s, std::move(reply)); });
}

}  // namespace dejima::ngsiv2
