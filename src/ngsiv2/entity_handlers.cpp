#include "ngsiv2/entity_handlers.h"

#include <cctype>
#include <charconv>

#include "model/mutate.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/handler_util.h"
#include "ngsiv2/update_operators.h"

namespace dejima::ngsiv2 {
namespace {

using broker::EntityPtr;
using model::Entity;

Error attribute_not_found() { return not_found("The entity does not have such an attribute"); }

void create_entity(const http::Request& req, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const bool upsert = has_option(*c, "upsert");
    AttrOps ops;
    auto parsed = parse_entity(c->body, BodyKind::Entity, has_option(*c, "keyValues"), c->write_path(), &ops);
    if (!parsed) return reply(error_response(*c, parsed.error()));
    auto tenant = s.tenants.find_or_create(c->tenant);
    if (!tenant) return reply(error_response(*c, tenant.error()));
    const std::string id = *parsed->id;
    const std::string location = "/v2/entities/" + id + "?type=" + v2_name(parsed->types.front());
    const Millis now = c->now;
    // Orion answers 204 to an upsert whether it created or updated.
    (*tenant)->apply(
        id,
        [&](const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
          model::ParsedEntity p = *parsed;
          if (!cur) {
            if (auto st = resolve_operators(p, ops, nullptr, OpMode::Create); !st) return std::unexpected(st.error());
            return std::make_shared<Entity>(model::new_entity(std::move(p), now));
          }
          if (!upsert) return std::unexpected(unprocessable("Already Exists"));
          if (!names_entity(*c, *cur, nullptr, true) || cur->types != p.types)
            return std::unexpected(unprocessable("Already Exists"));
          if (auto st = resolve_operators(p, ops, cur.get(), OpMode::Update); !st) return std::unexpected(st.error());
          auto next = std::make_shared<Entity>(*cur);
          model::ParsedEntity attrs;
          attrs.attrs = std::move(p.attrs);
          keep_metadata(*next, attrs);
          (void)model::append_attrs(*next, std::move(attrs), false, now);  // every attribute is written
          return next;
        },
        reply_status(*c, std::move(reply), upsert ? 204 : 201, {{"Location", location}}),
        c->origin(operated_names(id, ops)));
  });
}

// Reads the entity a request names, with what its registered providers add (an entity only
// providers hold included): `then` gets it, or nullptr, and answers.
using EntityRead = std::function<void(const RequestContext& c, const Entity* e, http::Reply reply)>;
void read_entity(Services& s, std::unique_ptr<RequestContext> c, const std::string& id, std::vector<std::string> attrs,
                 EntityRead then, http::Reply reply) {
  const std::string* type = c->req.param("type");
  std::vector<EntityPtr> local;
  std::vector<Named> missing;
  if (EntityPtr e = find_entity(s, *c, id, type))
    local.push_back(std::move(e));
  else
    missing.push_back({id, type ? std::optional(expanded_name(*type)) : std::nullopt});
  answer_forwarded(
      s, std::move(c), std::move(local), std::move(missing), std::move(attrs), {.limit = 1, .offset = 0},
      [then = std::move(then)](const RequestContext& c, const Forwarded& r, http::Reply reply) {
    then(c, r.entities.empty() ? nullptr : r.entities.front().get(), std::move(reply));
      },
      std::move(reply));
}

void get_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply, bool attrs_only) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto view = view_of(req.param("attrs"), req.param("metadata"), req.param("options"));
    if (!view) return reply(error_response(*c, view.error()));
    std::vector<std::string> attrs = view->attrs;
    read_entity(
        s, std::move(c), p[0], std::move(attrs),
        [view = *view, attrs_only](const RequestContext& c, const Entity* e, http::Reply reply) {
      if (!e) return reply(error_response(c, not_found(std::string(kEntityNotFound))));
      reply(json_response(c, 200, json::written([&](json::Writer& w) { write_entity(w, *e, view, attrs_only); })));
        },
        std::move(reply));
  });
}

void delete_entity(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {.write = true}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto tenant = s.tenants.find(c->tenant);
    auto done = reply_status(*c, std::move(reply), 204);
    if (!tenant) return done(std::unexpected(not_found(std::string(kEntityNotFound))));
    const std::string* type = req.param("type");
    (*tenant)->apply(
        p[0],
        [&](const EntityPtr& cur) -> Result<std::shared_ptr<Entity>> {
          if (!cur || !names_entity(*c, *cur, type, true))
            return std::unexpected(not_found(std::string(kEntityNotFound)));
          return nullptr;
        },
        std::move(done), c->origin());
  });
}

enum class AttrsWrite { Append, Update, Replace };

// POST (append, appendStrict), PATCH (update) and PUT (replace) of /v2/entities/{id}/attrs.
void write_attrs(const http::Request& req, const Params& p, Services& s, http::Reply reply, AttrsWrite how) {
  with_request(req, {.body = Body::Json, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    if (c->body.IsObject() && c->body.ObjectEmpty()) return reply(error_response(*c, bad_request("empty payload")));
    AttrOps ops;
    auto parsed = parse_entity(c->body, BodyKind::Attrs, has_option(*c, "keyValues"), c->write_path(), &ops);
    if (!parsed) return reply(error_response(*c, parsed.error()));
    const bool strict = how == AttrsWrite::Append && (has_option(*c, "append") || has_option(*c, "appendStrict"));
    const Millis now = c->now;
    const std::string label = entity_label(p[0], req.param("type"));
    const RequestContext& ctx = *c;
    // The attributes registered with a provider that the entity here lacks go to the provider.
    std::vector<UpdateForward> forwards;
    if (how == AttrsWrite::Update && s.registrations.any(c->tenant))
      forwards =
          plan_update(s, *c, find_entity(s, *c, p[0], req.param("type"), true).get(), p[0], req.param("type"), *parsed);
    if (!forwards.empty()) {
      std::shared_ptr<const RequestContext> held(std::move(c));
      if (parsed->attrs.empty()) return answer_updates(s, held, std::move(forwards), std::nullopt, std::move(reply));
      reply = [&s, held, forwards = std::move(forwards), reply = std::move(reply)](http::Response&& local) mutable {
        answer_updates(s, held, std::move(forwards), std::move(local), std::move(reply));
      };
    }
    modify_entity(
        s, ctx, p[0], req.param("type"), std::move(reply),
        [&](Entity& e, std::optional<Error>& report) -> Status {
          std::vector<std::string> existing, missing;
          for (const auto& a : parsed->attrs)
            (e.find(a.name, a.dataset_id) ? existing : missing).push_back(v2_name(a.name));
          // appendStrict leaves out the attributes that exist, update those that do not: the rest is
          // written and the answer is 422 (PartialUpdate when something was written).
          const auto& refused = strict ? existing : missing;
          if ((strict || how == AttrsWrite::Update) && !refused.empty()) {
            const bool partial = refused.size() < parsed->attrs.size();
            report = unprocessable(
                (strict ? "one or more of the attributes in the request already exist: " : "do not exist: ") + label +
                    " - " + names_list(refused),
                partial);
            if (!partial) return std::unexpected(*report);
            std::erase_if(parsed->attrs, [&](const model::AttrInstance& a) {
              return (e.find(a.name, a.dataset_id) != nullptr) == strict;
            });
          }
          if (auto st =
                  resolve_operators(*parsed, ops, &e, how == AttrsWrite::Replace ? OpMode::Create : OpMode::Update);
              !st)
            return st;
          if (how == AttrsWrite::Replace) {
            parsed->types = e.types;
            parsed->scopes = e.scopes;
            e = model::replaced_entity(e, std::move(*parsed), now);
            return {};
          }
          keep_metadata(e, *parsed);
          parsed->scopes.reset();
          if (how == AttrsWrite::Update)
            (void)model::update_attrs(e, std::move(*parsed), now);  // every attribute exists (checked above)
          else
            (void)model::append_attrs(e, std::move(*parsed), false, now);  // nothing is refused without noOverwrite
          return {};
        },
        204, operated_names(p[0], ops));
  });
}

const model::AttrInstance* shown_attribute(const Entity& e, const std::string& name) {
  const std::string expanded = expanded_name(name);
  for (const auto* a : shown_attributes(e))
    if (a->name == expanded) return a;
  return nullptr;
}

void get_attribute(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto view = view_of(nullptr, req.param("metadata"), req.param("options"));
    if (!view) return reply(error_response(*c, view.error()));
    read_entity(
        s, std::move(c), p[0], {p[1]},
        [name = p[1], view = *view](const RequestContext& c, const Entity* e, http::Reply reply) {
      if (!e) return reply(error_response(c, not_found(std::string(kEntityNotFound))));
      const auto* a = shown_attribute(*e, name);
      if (!a) return reply(error_response(c, attribute_not_found()));
      reply(json_response(c, 200, json::written([&](json::Writer& w) { write_attribute(w, *a, view.metadata); })));
        },
        std::move(reply));
  });
}

void put_attribute(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::Json, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    auto inst = parse_attribute(p[1], c->body, false);
    if (!inst) return reply(error_response(*c, inst.error()));
    AttrOps ops;
    if (const json::Value* v = json::member(c->body, "value"); v && is_operator(*v))
      ops.push_back({p[1], json::to_string(c->body)});
    if (s.registrations.any(c->tenant)) {  // an attribute the entity here lacks may be a provider's
      model::ParsedEntity one;
      one.attrs.push_back(*inst);
      auto forwards =
          plan_update(s, *c, find_entity(s, *c, p[0], req.param("type"), true).get(), p[0], req.param("type"), one);
      if (!forwards.empty())
        return answer_updates(s, std::move(c), std::move(forwards), std::nullopt, std::move(reply));
    }
    const Millis now = c->now;
    modify_entity(
        s, *c, p[0], req.param("type"), std::move(reply),
        [&](Entity& e, std::optional<Error>&) -> Status {
          const auto* old = shown_attribute(e, p[1]);
          if (!old) return std::unexpected(attribute_not_found());
          if (!ops.empty()) {
            auto r = resolve_operator(ops.front(), old, OpMode::Update);
            if (!r) return std::unexpected(r.error());
            inst = std::move(**r);  // an attribute that exists is always written
          }
          inst->dataset_id = old->dataset_id;
          keep_metadata(*inst, *old);
          (void)model::replace_attr(e, std::move(*inst), now);  // it exists (checked above)
          return {};
        },
        204, operated_names(p[0], ops));
  });
}

void delete_attribute(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {.write = true}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const Millis now = c->now;
    modify_entity(s, *c, p[0], req.param("type"), std::move(reply), [&](Entity& e, std::optional<Error>&) -> Status {
      if (e.erase(expanded_name(p[1]), "", true) == 0) return std::unexpected(attribute_not_found());
      e.modified_at = now;
      return {};
    });
  });
}

// What an Accept header allows for /value: JSON, text, or both (and which it names first).
struct Acceptable {
  bool json = false, text = false, json_first = false;
};

Acceptable acceptable(std::string_view accept) {
  if (accept.empty()) return {true, true, true};
  Acceptable a;
  for (auto item : http::list_items(accept)) {
    std::string_view type = item.substr(0, item.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    const bool json = type == "*/*" || type == "application/*" || type == "application/json";
    const bool text = type == "*/*" || type == "text/*" || type == "text/plain";
    if (json && !a.json && !a.text) a.json_first = true;
    a.json = a.json || json;
    a.text = a.text || text;
  }
  return a;
}

// GET .../value: an object or array as JSON (or text), any other value as text/plain only.
void get_value(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {}, std::move(reply), [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    const Acceptable ok = acceptable(req.header("Accept"));
    if (!ok.json && !ok.text)
      return reply(
          error_response(*c, Error{ErrorKind::NotAcceptable, "accepted MIME types: application/json, text/plain"}));
    read_entity(
        s, std::move(c), p[0], {p[1]},
        [name = p[1], ok](const RequestContext& c, const Entity* e, http::Reply reply) {
      if (!e) return reply(error_response(c, not_found(std::string(kEntityNotFound))));
      const auto* a = shown_attribute(*e, name);
      if (!a) return reply(error_response(c, attribute_not_found()));
      std::string body = json::written([&](json::Writer& w) { write_value(w, *a); });
      const bool structured = body[0] == '{' || body[0] == '[';
      if (!structured && !ok.text)
        return reply(error_response(c, Error{ErrorKind::NotAcceptable, "accepted MIME types: text/plain"}));
      if (type_of(*a) == "DateTime" && body.size() > 1 && body[0] == '"') body = body.substr(1, body.size() - 2);
      http::Response r = json_response(c, 200, std::move(body));
      if (!structured || !ok.json || (ok.text && !ok.json_first)) r.content_type = "text/plain";
      reply(std::move(r));
        },
        std::move(reply));
  });
}

// A text/plain value: a number, true, false or null (any case), or a "quoted string".
Status text_value(std::string_view text, json::Document& doc) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "true" || lower == "false" || lower == "null") {
    (void)json::parse(doc, lower);  // one of three literals: always valid JSON
    return {};
  }
  if (!text.empty() && text.front() == '"') {
    if (text.size() < 2 || text.back() != '"')
      return std::unexpected(bad_request("Missing citation-mark at end of string"));
    std::string_view inner = text.substr(1, text.size() - 2);
    doc.SetString(inner.data(), static_cast<rapidjson::SizeType>(inner.size()), doc.GetAllocator());
    return {};
  }
  double d;
  auto r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (!text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size() && json::parse(doc, text).empty())
    return {};
  if (!text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size()) {
    doc.SetDouble(d);
    return {};
  }
  return std::unexpected(bad_request("attribute value type not recognized"));
}

void put_value(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  with_request(req, {.body = Body::JsonOrText, .write = true}, std::move(reply),
               [&](std::unique_ptr<RequestContext> c, http::Reply reply) {
    json::LocalDocument<1024> text_doc;
    const json::Value* value = &c->body;
    if (c->body.IsNull() && !c->text.empty()) {
      if (auto st = text_value(c->text, text_doc.doc); !st) return reply(error_response(*c, st.error()));
      value = &text_doc.doc;
    } else if (!c->body.IsObject() && !c->body.IsArray()) {
      return reply(error_response(*c, bad_request("Neither JSON Object nor JSON Array for attribute::value")));
    }
    AttrOps ops;  // an operator body ({"$inc": 1}) applies to the stored value
    if (is_operator(*value)) ops.push_back({p[1], R"({"value":)" + json::to_string(*value) + "}"});
    const Millis now = c->now;
    modify_entity(
        s, *c, p[0], req.param("type"), std::move(reply),
        [&](Entity& e, std::optional<Error>&) -> Status {
          const auto* old = shown_attribute(e, p[1]);
          if (!old) return std::unexpected(attribute_not_found());
          auto inst = parse_value(*old, *value);
          if (!inst) return std::unexpected(inst.error());
          if (!ops.empty()) {
            auto r = resolve_operator(ops.front(), old, OpMode::Update);
            if (!r) return std::unexpected(r.error());
            inst = std::move(**r);  // an attribute that exists is always written
            keep_metadata(*inst, *old);
          }
          (void)model::replace_attr(e, std::move(*inst), now);  // it exists (checked above)
          return {};
        },
        204, operated_names(p[0], ops));
  });
}

}  // namespace

void add_entity_routes(http::Router& r, Services& s) {
  using http::Method;
  const http::Permission read{http::Need::Read}, write{http::Need::Write};
  const std::string base = "/v2/entities";
  // Orion refuses an id (and an attribute name) in the path that no id may hold, first of all:
  // 400 `invalid character in URI` (as in Orion, not for DELETE of an attribute, and PUT of an
  // attribute checks its name as a body's: `Invalid characters in attribute name`).
  const auto checked = [](size_t names, auto handler) {
    return [names, handler](const http::Request& req, const Params& p, http::Reply reply) {
      for (size_t i = 0; i < names; ++i)
        if (has_forbidden_id_chars(p[i], true))
          return reply(error_response(req, bad_request("invalid character in URI")));
      handler(req, p, std::move(reply));
    };
  };
  r.add(Method::Post, base, write,
        [&s](const http::Request& req, const Params&, http::Reply reply) { create_entity(req, s, std::move(reply)); });
  r.add(Method::Get, base + "/{id}", read,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          get_entity(req, p, s, std::move(reply), false);
        }));
  r.add(Method::Delete, base + "/{id}", write,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          delete_entity(req, p, s, std::move(reply));
        }));
  r.add(Method::Get, base + "/{id}/attrs", read,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          get_entity(req, p, s, std::move(reply), true);
        }));
  r.add(Method::Post, base + "/{id}/attrs", write,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          write_attrs(req, p, s, std::move(reply), AttrsWrite::Append);
        }));
  r.add(Method::Patch, base + "/{id}/attrs", write,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          write_attrs(req, p, s, std::move(reply), AttrsWrite::Update);
        }));
  r.add(Method::Put, base + "/{id}/attrs", write,
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          write_attrs(req, p, s, std::move(reply), AttrsWrite::Replace);
        }));
  r.add(Method::Get, base + "/{id}/attrs/{attr}", read,
        checked(2, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          get_attribute(req, p, s, std::move(reply));
        }));
  r.add(Method::Put, base + "/{id}/attrs/{attr}", write,  // the name is checked as the body's
        checked(1, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          put_attribute(req, p, s, std::move(reply));
        }));
  r.add(Method::Delete, base + "/{id}/attrs/{attr}", write,
        [&s](const http::Request& req, const Params& p, http::Reply reply) {
    delete_attribute(req, p, s, std::move(reply));
  });
  r.add(Method::Get, base + "/{id}/attrs/{attr}/value", read,
        checked(2, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          get_value(req, p, s, std::move(reply));
        }));
  r.add(Method::Put, base + "/{id}/attrs/{attr}/value", write,
        checked(2, [&s](const http::Request& req, const Params& p, http::Reply reply) {
          put_value(req, p, s, std::move(reply));
        }));
}

}  // namespace dejima::ngsiv2
