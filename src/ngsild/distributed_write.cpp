#include "ngsild/distributed_write.h"

#include <algorithm>
#include <array>
#include <future>

#include <spdlog/spdlog.h>

#include "federation/source.h"
#include "http/problem.h"
#include "model/parse.h"
#include "ngsild/csource_registration.h"
#include "ngsild/distributed.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

// Members of an entity body that are not attributes: every part carries them.
bool entity_member(std::string_view key) {
  static constexpr std::array<std::string_view, 7> kMembers = {"id",        "type",       "@context", "scope",
                                                               "createdAt", "modifiedAt", "deletedAt"};
  return std::find(kMembers.begin(), kMembers.end(), key) != kMembers.end();
}

std::string method_name(http::Method m) {
  switch (m) {
    case http::Method::Post: return "POST";
    case http::Method::Put: return "PUT";
    case http::Method::Patch: return "PATCH";
    case http::Method::Delete: return "DELETE";
    default: return "GET";
  }
}

// Types named by a body's "type" member, expanded.
std::vector<std::string> body_types(const json::Value& body, const jsonld::Context& ctx) {
  std::vector<std::string> out;
  const json::Value* t = body.IsObject() ? json::member(body, "type") : nullptr;
  if (t && t->IsString()) out.push_back(ctx.expand(json::view(*t)));
  if (t && t->IsArray())
    for (const auto& v : t->GetArray())
      if (v.IsString()) out.push_back(ctx.expand(json::view(v)));
  return out;
}

// The expanded types of the entity as the tenant holds it, else as the body names them.
std::vector<std::string> entity_types(const RequestContext& c, const Services& s, const std::string& id,
                                      const json::Value& body, const jsonld::Context& ctx) {
  std::vector<std::string> types;
  if (auto tenant = s.tenants.find(c.tenant); tenant) types = types_of((*tenant)->get(id).get());
  return types.empty() ? body_types(body, ctx) : types;
}

// How a batch reads its elements (as batch_handlers.cpp does).
model::ParseMode parse_mode(std::string_view operation) {
  if (operation == "createBatch" || operation == "upsertBatch") return model::ParseMode::Create;
  if (operation == "mergeBatch") return model::ParseMode::MergePatch;
  return model::ParseMode::Fragment;
}

std::vector<federation::RegPtr> writers(const RequestContext& c, const Services& s, const std::string& id,
                                        const std::vector<std::string>& types, std::string_view operation) {
  auto sources = sources_for(c, s, id, types, operation);
  std::erase_if(sources, [](const auto& r) { return ld(*r).mode == "auxiliary"; });  // never written
  return sources;
}

// Whether the local answer refuses the request itself (so no source is asked either): only an
// answer about the entity's state (done, not found, already there) lets the sources go ahead.
bool refused(const http::Response& local) { return local.status >= 300 && local.status != 404 && local.status != 409; }

// A ProblemDetails for one failed part: the source's own when it sent one, with its status.
void write_failure(json::Writer& w, long status, const std::string& body, std::string_view what) {
  json::Document d;
  const bool problem = status != 0 && json::parse(d, body).empty() && d.IsObject() && json::member(d, "type") &&
                       json::member(d, "type")->IsString();
  w.StartObject();
  w.Key("type");
  json::write_string(
      w, problem ? json::view(*json::member(d, "type"))
                 : http::type_uri_of(status == 0 ? ErrorKind::ServiceUnavailable : ErrorKind::InternalError));
  w.Key("title");
  const json::Value* title = problem ? json::member(d, "title") : nullptr;
  if (title && title->IsString())
    json::write_string(w, json::view(*title));
  else
    json::write_string(w, status == 0 ? std::string(what) + " could not be reached"
                                      : std::string(what) + " answered " + std::to_string(status));
  w.Key("status");
  w.Int64(status == 0 ? 504 : status);
  const json::Value* detail = problem ? json::member(d, "detail") : nullptr;
  if (detail && detail->IsString()) {
    w.Key("detail");
    json::write_string(w, json::view(*detail));
  } else if (!problem && !body.empty()) {
    w.Key("detail");
    json::write_string(w, body.substr(0, 500));
  }
  w.EndObject();
}

std::string problem_text(long status, const std::string& body, std::string_view what) {
  return json::written([&](json::Writer& w) { write_failure(w, status, body, what); });
}

}  // namespace

DistributedWrite::DistributedWrite(const Services& s, const RequestContext& c, std::string_view operation)
    : s_(s),
      operation_(operation),
      method_(method_name(c.req.method)),
      content_type_(c.req.header("Content-Type")),
      link_(c.req.header("Link")),
      via_(c.req.header("Via")) {
  constexpr std::string_view kBase = "/ngsi-ld/v1";
  std::string_view t = c.req.target;
  if (t.starts_with(kBase)) t.remove_prefix(kBase.size());
  // The path without a trailing '/' (/entities/?type=A is /entities?type=A), the query as sent.
  const size_t q = t.find('?');
  std::string_view path = t.substr(0, q);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  target_ = std::string(path) + std::string(q == std::string_view::npos ? "" : t.substr(q));
}

bool DistributedWrite::split(const jsonld::Context& ctx, const std::vector<federation::RegPtr>& sources,
                             const std::string& id, const std::vector<std::string>& types, const std::string& attr,
                             json::Value& body) {
  std::vector<std::string> claimed;  // body members sent instead of written
  bool whole = false;                // the entity is the sources' alone
  bool any = false;
  for (const auto& r : sources) {
    const LdRegistration& x = ld(*r);
    const auto names = registered(x, id, types);
    if (!names) continue;
    const bool instead = x.mode == "exclusive" || x.mode == "redirect";
    auto holds = [&](const std::string& name) {
      return names->empty() || std::find(names->begin(), names->end(), name) != names->end();
    };
    std::string part;
    if (!attr.empty()) {  // one attribute: the source takes it or not
      if (!holds(attr)) continue;
      whole = whole || instead;
      if (body.IsObject()) part = json::to_string(body);
    } else if (body.IsObject()) {
      json::Document doc;
      doc.SetObject();
      auto& a = doc.GetAllocator();
      size_t held = 0;
      for (const auto& m : body.GetObject()) {
        const std::string_view key = json::view(m.name);
        const bool is_attr = !entity_member(key);
        if (is_attr && !holds(ctx.expand(key))) continue;
        if (is_attr) {
          ++held;
          if (instead) claimed.emplace_back(key);
        }
        doc.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
      }
      if (!names->empty() && held == 0) continue;
      whole = whole || (instead && names->empty());
      part = json::to_string(doc);
    } else {  // a deletion: the entity id in a batch, nothing for a single entity
      whole = whole || (instead && names->empty());
      if (body.IsString()) part = json::to_string(body);
    }
    any = true;
    auto it = std::find_if(parts_.begin(), parts_.end(), [&](const Part& p) { return p.reg->id == r->id; });
    if (it == parts_.end()) it = parts_.insert(parts_.end(), Part{r, "", {}});
    if (batch_)
      it->body += (it->body.empty() ? "[" : ",") + part;
    else
      it->body = std::move(part);
    it->ids.push_back(id);
  }
  if (!any) return true;
  if (whole) return false;
  if (!body.IsObject() || claimed.empty()) return true;
  for (const auto& key : claimed) body.RemoveMember(key.c_str());
  // When sources take every attribute, nothing is written here (not even a bare id and type).
  return std::any_of(body.MemberBegin(), body.MemberEnd(),
                     [](const auto& m) { return !entity_member(json::view(m.name)); });
}

std::shared_ptr<DistributedWrite> DistributedWrite::plan(RequestContext& c, const Services& s, WriteTarget target) {
  if (!s.registrations.any(c.tenant)) return nullptr;
  const auto types = entity_types(c, s, target.id, c.body, *c.context);
  const auto sources = writers(c, s, target.id, types, target.operation);
  if (sources.empty()) return nullptr;
  std::shared_ptr<DistributedWrite> w(new DistributedWrite(s, c, target.operation));
  w->local_ = w->split(*c.context, sources, target.id, types, target.attr, c.body);
  if (w->parts_.empty()) return nullptr;
  w->local_ids_ = {target.id};
  return w;
}

std::shared_ptr<DistributedWrite> DistributedWrite::plan_batch(RequestContext& c, const Services& s,
                                                               std::string_view operation) {
  if (!s.registrations.any(c.tenant) || !c.body.IsArray()) return nullptr;
  std::shared_ptr<DistributedWrite> w(new DistributedWrite(s, c, operation));
  w->batch_ = true;
  auto& a = c.body.GetAllocator();
  json::Value kept(rapidjson::kArrayType);
  for (auto& v : c.body.GetArray()) {
    const json::Value* idv = v.IsString() ? &v : v.IsObject() ? json::member(v, "id") : nullptr;
    std::shared_ptr<const jsonld::Context> ctx = c.context;
    if (const json::Value* inline_ctx = v.IsObject() ? json::member(v, "@context") : nullptr)
      if (auto resolved = s.contexts.from_inline(*inline_ctx); resolved) ctx = std::move(*resolved);
    bool left = true;
    // An element the broker would refuse is left to it (refused in its answer), sent nowhere.
    const bool valid = v.IsString() ? is_absolute_uri(json::view(v))
                                    : v.IsObject() && model::parse_entity(v, *ctx, parse_mode(operation)).has_value();
    if (valid && idv && idv->IsString()) {
      const std::string id(json::view(*idv));
      const auto types = entity_types(c, s, id, v, *ctx);
      const auto sources = writers(c, s, id, types, operation);
      left = sources.empty() || w->split(*ctx, sources, id, types, "", v);
      if (left) w->local_ids_.push_back(id);
    }
    if (left) kept.PushBack(v, a);  // an element the broker cannot read stays, to be refused there
  }
  // Every element left was moved into `kept` (in the same allocator): it becomes the body.
  static_cast<json::Value&>(c.body).Swap(kept);
  if (w->parts_.empty()) return nullptr;
  for (auto& p : w->parts_) p.body += "]";
  w->local_ = !c.body.Empty();
  return w;
}

std::shared_ptr<DistributedWrite> DistributedWrite::plan_purge(const RequestContext& c, const Services& s,
                                                               const std::vector<federation::RegPtr>& sources) {
  std::shared_ptr<DistributedWrite> w(new DistributedWrite(s, c, "purgeEntities"));
  for (const auto& r : sources)
    if (ld(*r).mode != "auxiliary") w->parts_.push_back({r, "", {}});
  if (w->parts_.empty()) return nullptr;
  return w;
}

DistributedWrite::Outcome DistributedWrite::send(const Part& part) const {
  fetch::Exchange ex = source_request(s_, *part.reg, via_, method_, target_);
  ex.body = part.body;
  if (!part.body.empty())
    ex.headers.emplace_back("Content-Type", content_type_.empty() ? "application/json" : content_type_);
  if (!link_.empty()) ex.headers.emplace_back("Link", link_);
  auto res = federation::ask_source(*part.reg, ex, ld(*part.reg).cooldown_ms);
  if (!res) {
    spdlog::warn("registration {}: {} {} failed: {}", part.reg->id, method_, ex.url, res.error().detail);
    return {0, res.error().detail};
  }
  return {res->status, std::move(res->body)};
}

http::Reply DistributedWrite::wrap(http::Reply reply) {
  return [self = shared_from_this(), reply = std::move(reply)](http::Response&& local) {
    if (refused(local)) return reply(std::move(local));
    // The local part is written already: when no thread is free, the answer says which parts
    // were not sent rather than refusing a write that happened.
    auto held = std::make_shared<http::Response>(std::move(local));
    auto job = [self, reply, held]() { reply(self->finish(std::move(*held), true)); };
    if (!self->s_.forwarder.submit(job)) reply(self->finish(std::move(*held), false));
  };
}

void DistributedWrite::read(long status, const std::string& body, const std::vector<std::string>& ids,
                            const federation::Registration* reg, std::vector<std::string>& success,
                            std::vector<std::string>& created, std::vector<Failure>& failures) const {
  const std::string registration = reg ? reg->id : "";
  if (reg && status == 508) return;  // the source is this request's way back: the loop ends here
  json::Document d;
  if (status >= 200 && status < 300 && status != 207) {
    success.insert(success.end(), ids.begin(), ids.end());
    if (status != 201) return;
    if (json::parse(d, body).empty() && d.IsArray()) {  // a batch's created ids
      for (const auto& v : d.GetArray())
        if (v.IsString()) created.emplace_back(json::view(v));
    } else {  // created, without saying which: all of them
      created.insert(created.end(), ids.begin(), ids.end());
    }
    return;
  }
  if (status == 207 && json::parse(d, body).empty() && d.IsObject() && json::member(d, "errors") &&
      json::member(d, "errors")->IsArray()) {  // a BatchOperationResult
    if (const json::Value* ok = json::member(d, "success"); ok && ok->IsArray())
      for (const auto& v : ok->GetArray())
        if (v.IsString()) success.emplace_back(json::view(v));
    for (const auto& e : json::member(d, "errors")->GetArray()) {
      const json::Value* id = e.IsObject() ? json::member(e, "entityId") : nullptr;
      const json::Value* error = e.IsObject() ? json::member(e, "error") : nullptr;
      if (id && id->IsString() && error && error->IsObject())
        failures.push_back({std::string(json::view(*id)), registration, json::to_string(*error)});
    }
    return;
  }
  const std::string problem = problem_text(status, body, reg ? "The context source" : "The local broker");
  if (ids.empty()) failures.push_back({"", registration, problem});  // a purge names no entity
  for (const auto& id : ids) failures.push_back({id, registration, problem});
}

http::Response DistributedWrite::finish(http::Response local, bool forward) const {
  std::vector<std::future<Outcome>> sent;
  sent.reserve(parts_.size());
  for (const auto& p : parts_)
    sent.push_back(forward ? std::async(kAtOnce, [this, &p] { return send(p); })
                           : std::async(std::launch::deferred, [] {
                               return Outcome{0, "not sent: every thread that asks context sources is busy"};
                             }));
  std::vector<std::string> success, created;
  std::vector<Failure> failures;
  if (local.status != 0) read(local.status, local.body, local_ids_, nullptr, success, created, failures);
  for (size_t i = 0; i < parts_.size(); ++i) {
    const Outcome o = sent[i].get();
    read(o.status, o.body, parts_[i].ids, parts_[i].reg.get(), success, created, failures);
  }
  auto unique = [](std::vector<std::string> ids) {
    std::vector<std::string> out;
    for (auto& id : ids)
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    return out;
  };
  const std::vector<std::string> succeeded = unique(std::move(success));

  // A batch create lists every entity; an upsert the ones some part created (none: 204).
  const std::vector<std::string> listed = operation_ == "createBatch"   ? succeeded
                                          : operation_ == "upsertBatch" ? unique(std::move(created))
                                                                        : std::vector<std::string>{};
  if (failures.empty()) {
    if (!listed.empty())
      return http::json_body(201, json::written([&](json::Writer& w) {
                               w.StartArray();
                               for (const auto& id : listed) json::write_string(w, id);
                               w.EndArray();
                             }));
    if (operation_ == "upsertBatch") return no_content();
    if (local.status != 0) return local;
    http::Response r;
    r.status = operation_ == "createEntity" ? 201 : 204;
    if (operation_ == "createEntity" && !succeeded.empty())
      r.header("Location", "/ngsi-ld/v1/entities/" + succeeded[0]);
    return r;
  }
  // Some part failed: a BatchOperationResult of the parts.
  return http::json_body(207, json::written([&](json::Writer& w) {
                           w.StartObject();
                           w.Key("success");
                           w.StartArray();
                           for (const auto& id : succeeded) json::write_string(w, id);
                           w.EndArray();
                           w.Key("errors");
                           w.StartArray();
                           for (const auto& f : failures) {
                             w.StartObject();
                             if (!f.id.empty()) {
                               w.Key("entityId");
                               json::write_string(w, f.id);
                             }
                             if (!f.registration.empty()) {
                               w.Key("registrationId");
                               json::write_string(w, f.registration);
                             }
                             w.Key("error");
                             json::write_raw(w, f.problem);
                             w.EndObject();
                           }
                           w.EndArray();
                           w.EndObject();
                         }));
}

namespace {

Split go_on(const std::shared_ptr<DistributedWrite>& w, http::Reply& reply) {
  if (!w) return Split::None;
  reply = w->wrap(std::move(reply));
  if (w->local()) return Split::Local;
  http::Response nothing;
  nothing.status = 0;
  reply(std::move(nothing));
  return Split::Done;
}

// A write that comes back is refused (508) rather than written twice; the source that sent it
// counts the refusal as neither success nor failure (read()).
bool looped(const RequestContext& c, const Services& s, http::Reply& reply) {
  if (!passed_here(c, s)) return false;
  reply(http::problem(
      Error{ErrorKind::LoopDetected, "Loop detected",
            "the request has already passed through this broker (Via: " + std::string(c.req.header("Via")) + ")"}));
  return true;
}

}  // namespace

Split distribute(RequestContext& c, const Services& s, WriteTarget target, http::Reply& reply) {
  if (looped(c, s, reply)) return Split::Done;
  return go_on(DistributedWrite::plan(c, s, std::move(target)), reply);
}

Split distribute_purge(const RequestContext& c, const Services& s, const std::vector<federation::RegPtr>& sources,
                       http::Reply& reply) {
  return go_on(DistributedWrite::plan_purge(c, s, sources), reply);
}

Split distribute_batch(RequestContext& c, const Services& s, std::string_view operation, http::Reply& reply) {
  if (looped(c, s, reply)) return Split::Done;
  return go_on(DistributedWrite::plan_batch(c, s, operation), reply);
}

}  // namespace dejima::ngsild
