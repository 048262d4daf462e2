#include "subscription/subscription.h"

#include "fetch/egress.h"
#include "model/parse.h"
#include "query/selection.h"
#include "util/uri.h"

namespace dejima::subscription {
namespace {

constexpr std::pair<std::string_view, unsigned> kTriggers[] = {
    {"entityCreated", kEntityCreated},       {"entityUpdated", kEntityUpdated},
    {"entityDeleted", kEntityDeleted},       {"attributeCreated", kAttributeCreated},
    {"attributeUpdated", kAttributeUpdated}, {"attributeDeleted", kAttributeDeleted},
};

std::unexpected<Error> bad(std::string title, std::string detail) {
  return fail(ErrorKind::BadRequestData, std::move(title), std::move(detail));
}

Result<std::vector<std::string>> names(const json::Value& v, std::string_view what, const jsonld::Context& ctx) {
  if (!v.IsArray() || v.Empty())
    return bad("Invalid " + std::string(what), std::string(what) + " must be a non-empty array of names");
  std::vector<std::string> out;
  for (const auto& n : v.GetArray()) {
    if (!n.IsString() || !model::valid_name(json::view(n)))
      return bad("Invalid " + std::string(what), std::string(what) + " must be a non-empty array of names");
    out.push_back(ctx.expand(json::view(n)));
  }
  return out;
}

Result<KeyValues> key_values(const json::Value& v, std::string_view what) {
  if (!v.IsArray()) return bad("Invalid " + std::string(what), std::string(what) + " must be an array of {key, value}");
  KeyValues out;
  for (const auto& kv : v.GetArray()) {
    if (!kv.IsObject() || !kv.HasMember("key") || !kv.HasMember("value") || !kv["key"].IsString() ||
        !kv["value"].IsString() || kv["key"].GetStringLength() == 0)
      return bad("Invalid " + std::string(what), std::string(what) + " must be an array of {key, value} strings");
    out.emplace_back(json::view(kv["key"]), json::view(kv["value"]));
  }
  return out;
}

Result<Millis> seconds(const json::Value& v, std::string_view what) {
  if (!v.IsNumber() || v.GetDouble() <= 0 || v.GetDouble() > 1e9)
    return bad("Invalid " + std::string(what), std::string(what) + " must be a positive number of seconds");
  return static_cast<Millis>(v.GetDouble() * 1000);
}

bool valid_endpoint(std::string_view uri) {
  if (!is_absolute_uri(uri)) return false;
  for (auto scheme : {"http://", "https://", "mqtt://", "mqtts://"})
    if (uri.starts_with(scheme) && uri.size() > std::string_view(scheme).size()) return true;
  return false;
}

Status parse_notification(const json::Value& n, const jsonld::Context& ctx, Subscription& s) {
  if (!n.IsObject()) return bad("Invalid notification", "notification must be an object");
  auto ep = n.FindMember("endpoint");
  if (ep == n.MemberEnd() || !ep->value.IsObject())
    return bad("Invalid notification", "notification.endpoint is required");
  const auto& e = ep->value;
  if (!e.HasMember("uri") || !e["uri"].IsString() || !valid_endpoint(json::view(e["uri"])))
    return bad("Invalid endpoint", "endpoint.uri must be an http, https, mqtt or mqtts URI");
  s.uri = std::string(json::view(e["uri"]));
  if (auto st = fetch::check_url(s.uri); !st) return bad(st.error().title, "endpoint.uri: " + st.error().detail);
  if (auto a = e.FindMember("accept"); a != e.MemberEnd()) {
    const std::string_view accept = a->value.IsString() ? json::view(a->value) : "";
    if (accept != "application/json" && accept != "application/ld+json")
      return bad("Invalid endpoint", "endpoint.accept must be application/json or application/ld+json");
    s.accept_jsonld = accept == "application/ld+json";
  }
  for (auto [member, out] : {std::pair{"receiverInfo", &s.receiver_info}, std::pair{"notifierInfo", &s.notifier_info}})
    if (auto it = e.FindMember(member); it != e.MemberEnd()) {
      auto kv = key_values(it->value, member);
      if (!kv) return std::unexpected(kv.error());
      *out = std::move(*kv);
    }
  if (auto it = n.FindMember("attributes"); it != n.MemberEnd()) {
    auto a = names(it->value, "notification.attributes", ctx);
    if (!a) return std::unexpected(a.error());
    s.attributes = std::move(*a);
  }
  // pick/omit (clause 4.21): entity members, id and type included; one of pick, omit, attributes.
  for (auto [member, out] : {std::pair{"pick", &s.pick}, std::pair{"omit", &s.omit}})
    if (auto it = n.FindMember(member); it != n.MemberEnd()) {
      const std::string what = std::string("notification.") + member;
      auto a = names(it->value, what, ctx);
      if (!a) return std::unexpected(a.error());
      for (size_t i = 0; i < a->size(); ++i) {
        const std::string_view given = json::view(it->value[static_cast<rapidjson::SizeType>(i)]);
        if (given == "id" || given == "type" || given == "scope") (*a)[i] = std::string(given);
      }
      *out = std::move(*a);
    }
  if ((!s.pick.empty() || !s.omit.empty()) && !s.attributes.empty())
    return bad("Invalid notification", "notification.attributes cannot be combined with pick or omit");
  if (!s.pick.empty() && !s.omit.empty())
    return bad("Invalid notification", "notification.pick and notification.omit cannot be combined");
  if (auto it = n.FindMember("format"); it != n.MemberEnd()) {
    const std::string_view f = it->value.IsString() ? json::view(it->value) : "";
    if (f == "normalized")
      s.format = model::Format::Normalized;
    else if (f == "keyValues" || f == "simplified")
      s.format = model::Format::KeyValues;
    else if (f == "concise")
      s.format = model::Format::Concise;
    else
      return bad("Invalid format", "notification.format must be normalized, concise or keyValues");
  }
  for (auto [member, out] : {std::pair{"sysAttrs", &s.sys_attrs}, std::pair{"showChanges", &s.show_changes}})
    if (auto it = n.FindMember(member); it != n.MemberEnd()) {
      if (!it->value.IsBool())
        return bad("Invalid notification", std::string("notification.") + member + " must be a boolean");
      *out = it->value.GetBool();
    }
  return {};
}

}  // namespace

std::string_view trigger_name(unsigned bit) {
  for (auto [name, b] : kTriggers)
    if (b == bit) return name;
  return "";
}

std::string_view Subscription::status(Millis now) const {
  if (expired(now)) return "expired";
  return active ? "active" : "paused";
}

Result<std::shared_ptr<Subscription>> parse_subscription(const json::Value& doc,
                                                         std::shared_ptr<const jsonld::Context> context, Millis now) {
  if (!doc.IsObject()) return bad("Invalid subscription", "the body must be a Subscription object");
  const jsonld::Context& ctx = *context;
  auto s = std::make_shared<Subscription>();
  s->context = context;
  s->notification_context = context;
  auto member = [&](const char* name) -> const json::Value* {
    auto it = doc.FindMember(name);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  const json::Value* type = member("type");
  if (!type || !type->IsString() || json::view(*type) != "Subscription")
    return bad("Invalid subscription", "type must be \"Subscription\"");
  if (const auto* id = member("id")) {
    if (!id->IsString() || !is_absolute_uri(json::view(*id))) return bad("Invalid subscription id", "id must be a URI");
    s->id = std::string(json::view(*id));
  } else {
    s->id = random_urn("Subscription");
  }
  if (auto st = query::selection_from_object(doc, ctx, s->filter); !st) return std::unexpected(st.error());
  for (const auto& sel : s->filter.entities)
    if (!sel.types) return bad("Invalid entities", "each entity selector of a subscription needs a type");
  if (const auto* w = member("watchedAttributes")) {
    auto n = names(*w, "watchedAttributes", ctx);
    if (!n) return std::unexpected(n.error());
    s->watched = std::move(*n);
  }
  if (const auto* t = member("notificationTrigger")) {
    if (!t->IsArray() || t->Empty())
      return bad("Invalid notificationTrigger", "notificationTrigger must be a non-empty array");
    s->triggers = 0;
    for (const auto& v : t->GetArray()) {
      unsigned bit = 0;
      for (auto [name, b] : kTriggers)
        if (v.IsString() && json::view(v) == name) bit = b;
      if (!bit) return bad("Invalid notificationTrigger", "unknown trigger " + json::to_string(v));
      s->triggers |= bit;
    }
  }
  if (const auto* a = member("isActive")) {
    if (!a->IsBool()) return bad("Invalid isActive", "isActive must be a boolean");
    s->active = a->GetBool();
  }
  if (const auto* e = member("expiresAt")) {
    auto t = e->IsString() ? parse_iso8601(json::view(*e)) : std::nullopt;
    if (!t) return bad("Invalid expiresAt", "expiresAt must be a DateTime");
    if (*t <= now) return bad("Invalid expiresAt", "expiresAt is in the past");
    s->expires_at = *t;
  }
  if (const auto* t = member("throttling")) {
    auto ms = seconds(*t, "throttling");
    if (!ms) return std::unexpected(ms.error());
    s->throttling_ms = *ms;
  }
  if (const auto* t = member("timeInterval")) {
    auto ms = seconds(*t, "timeInterval");
    if (!ms) return std::unexpected(ms.error());
    s->interval_ms = *ms;
  }
  if (s->interval_ms && s->throttling_ms)
    return bad("Invalid subscription", "throttling and timeInterval cannot both be given");
  if (s->interval_ms && !s->watched.empty())
    return bad("Invalid subscription", "timeInterval and watchedAttributes cannot both be given");
  if (s->filter.entities.empty() && s->watched.empty())
    return bad("Invalid subscription", "a subscription needs entities or watchedAttributes");
  if (const auto* l = member("lang")) {
    if (!l->IsString()) return bad("Invalid lang", "lang must be a string");
    s->lang = std::string(json::view(*l));
  }
  if (const auto* d = member("datasetId")) {
    if (!d->IsArray() || d->Empty()) return bad("Invalid datasetId", "datasetId must be a non-empty array of URIs");
    for (const auto& id : d->GetArray()) {
      if (!id.IsString() || (json::view(id) != "@none" && !is_absolute_uri(json::view(id))))
        return bad("Invalid datasetId", "datasetId must list URIs or @none");
      s->dataset_ids.emplace_back(json::view(id));
    }
  }
  for (const char* text : {"subscriptionName", "description", "csf"})
    if (const auto* v = member(text); v && !v->IsString())
      return bad("Invalid subscription", std::string(text) + " must be a string");
  if (const auto* j = member("jsonldContext"); j && (!j->IsString() || !is_absolute_uri(json::view(*j))))
    return bad("Invalid jsonldContext", "jsonldContext must be a URI");
  const auto* n = member("notification");
  if (!n) return bad("Invalid subscription", "notification is required");
  if (auto st = parse_notification(*n, ctx, *s); !st) return std::unexpected(st.error());

  // The document as written, without what the broker maintains.
  json::Document out;
  out.CopyFrom(doc, out.GetAllocator());
  for (const char* readonly : {"@context", "status", "createdAt", "modifiedAt"}) out.RemoveMember(readonly);
  if (!out.HasMember("id")) out.AddMember("id", json::Value(s->id.c_str(), out.GetAllocator()), out.GetAllocator());
  if (auto it = out.FindMember("notification"); it != out.MemberEnd())
    for (const char* readonly :
         {"timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status"})
      it->value.RemoveMember(readonly);
  rename_terms(out, out.GetAllocator(), [&](std::string_view term) { return ctx.expand(term); });
  s->document = json::to_string(out);
  return s;
}

void rename_terms(json::Value& doc, rapidjson::MemoryPoolAllocator<>& a,
                  const std::function<std::string(std::string_view)>& f) {
  if (!doc.IsObject()) return;
  auto rename = [&](json::Value& v) {
    if (!v.IsString()) return;
    const std::string_view name = json::view(v);
    if (name.empty() || name.find_first_of(",;|()") != std::string_view::npos) return;
    const std::string renamed = f(name);
    v.SetString(renamed.data(), static_cast<rapidjson::SizeType>(renamed.size()), a);
  };
  auto rename_all = [&](json::Value& v) {
    if (v.IsArray())
      for (auto& x : v.GetArray()) rename(x);
  };
  if (auto e = doc.FindMember("entities"); e != doc.MemberEnd() && e->value.IsArray())
    for (auto& sel : e->value.GetArray())
      if (sel.IsObject())
        if (auto t = sel.FindMember("type"); t != sel.MemberEnd()) rename(t->value);
  if (auto w = doc.FindMember("watchedAttributes"); w != doc.MemberEnd()) rename_all(w->value);
  if (auto n = doc.FindMember("notification"); n != doc.MemberEnd() && n->value.IsObject())
    if (auto at = n->value.FindMember("attributes"); at != n->value.MemberEnd()) rename_all(at->value);
  if (auto g = doc.FindMember("geoQ"); g != doc.MemberEnd() && g->value.IsObject())
    if (auto p = g->value.FindMember("geoproperty"); p != g->value.MemberEnd()) rename(p->value);
}

std::string render_subscription(const Subscription& s, Millis now, const jsonld::Context& ctx, bool with_context) {
  json::Document d;
  json::parse_stored(d, s.document);
  auto& a = d.GetAllocator();
  rename_terms(d, a, [&](std::string_view iri) { return ctx.compact(iri); });
  auto set = [&](json::Value& obj, const char* key, json::Value v) {
    obj.RemoveMember(key);
    obj.AddMember(json::Value(key, a), v, a);
  };
  auto text = [&](std::string_view t) { return json::Value(t.data(), static_cast<rapidjson::SizeType>(t.size()), a); };
  if (d.HasMember("isActive")) set(d, "isActive", json::Value(s.active));  // as given; status says it anyway
  set(d, "status", text(s.status(now)));
  if (auto it = d.FindMember("notification"); it != d.MemberEnd() && it->value.IsObject()) {
    json::Value& n = it->value;
    const DeliveryState& st = *s.state;
    // The counters appear once there is something to count (as Orion-LD shows them).
    for (auto [key, count] :
         {std::pair{"timesSent", st.times_sent.load()}, std::pair{"timesFailed", st.times_failed.load()},
          std::pair{"timesDropped", st.times_dropped.load()}})
      if (count) set(n, key, json::Value(static_cast<uint64_t>(count)));
    std::lock_guard lock(st.mu);
    for (auto [key, t] : {std::pair{"lastNotification", st.last_notification},
                          std::pair{"lastSuccess", st.last_success}, std::pair{"lastFailure", st.last_failure}})
      if (t) set(n, key, text(format_iso8601(t)));
    if (st.last_notification) set(n, "status", text(st.last_ok ? "ok" : "failed"));
  }
  if (with_context) {
    json::Document c;
    json::parse_stored(c, ctx.context_json());
    set(d, "@context", json::Value(c, a));
  }
  return json::to_string(d);
}

std::string state_json(const DeliveryState& st) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  for (auto [key, n] : {std::pair{"timesSent", st.times_sent.load()}, std::pair{"timesFailed", st.times_failed.load()},
                        std::pair{"timesDropped", st.times_dropped.load()}}) {
    w.Key(key);
    w.Uint64(n);
  }
  std::lock_guard lock(st.mu);
  for (auto [key, t] : {std::pair{"lastNotification", st.last_notification}, std::pair{"lastSuccess", st.last_success},
                        std::pair{"lastFailure", st.last_failure}}) {
    w.Key(key);
    w.Int64(t);
  }
  w.Key("lastFailureReason");
  json::write_string(w, st.last_failure_reason);
  w.Key("lastOk");
  w.Bool(st.last_ok);
  w.Key("lastStatus");
  w.Int64(st.last_status);
  w.Key("consecutiveFails");
  w.Uint64(st.consecutive_fails);
  w.Key("disabled");
  w.Bool(st.disabled);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

void restore_state(DeliveryState& st, std::string_view text) {
  json::Document d;
  if (!json::parse_stored(d, text).empty() || !d.IsObject()) return;
  auto number = [&](const char* key) -> std::int64_t {
    auto it = d.FindMember(key);
    return it != d.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
  };
  st.times_sent = static_cast<std::uint64_t>(number("timesSent"));
  st.times_failed = static_cast<std::uint64_t>(number("timesFailed"));
  st.times_dropped = static_cast<std::uint64_t>(number("timesDropped"));
  std::lock_guard lock(st.mu);
  st.last_notification = number("lastNotification");
  st.last_success = number("lastSuccess");
  st.last_failure = number("lastFailure");
  if (auto it = d.FindMember("lastFailureReason"); it != d.MemberEnd() && it->value.IsString())
    st.last_failure_reason = std::string(json::view(it->value));
  if (auto it = d.FindMember("lastOk"); it != d.MemberEnd() && it->value.IsBool()) st.last_ok = it->value.GetBool();
  if (auto it = d.FindMember("lastStatus"); it != d.MemberEnd() && it->value.IsInt64())
    st.last_status = static_cast<long>(it->value.GetInt64());
  st.consecutive_fails = static_cast<std::uint64_t>(number("consecutiveFails"));
  if (auto it = d.FindMember("disabled"); it != d.MemberEnd() && it->value.IsBool()) st.disabled = it->value.GetBool();
}

std::string stored_document(const Subscription& s) {
  std::string out = s.document;
  out.pop_back();  // '}'
  out += out.size() > 1 ? ",\"@context\":" : "\"@context\":";
  out += s.context->context_json();
  out += '}';
  return out;
}

Result<std::shared_ptr<Subscription>> restore_subscription(const json::Value& stored, jsonld::Registry& contexts,
                                                           Millis now) {
  json::Document d;
  d.CopyFrom(stored, d.GetAllocator());
  auto ctx = d.HasMember("@context") ? contexts.from_inline(d["@context"]) : contexts.from_link("");
  if (!ctx) return fail(ErrorKind::LdContextNotAvailable, "@context unavailable", ctx.error().detail);
  d.RemoveMember("@context");
  d.RemoveMember("@flavor");
  std::optional<std::string> expires;
  if (auto e = d.FindMember("expiresAt"); e != d.MemberEnd() && e->value.IsString())
    expires = std::string(json::view(e->value));
  d.RemoveMember("expiresAt");  // already validated when written; may be past now
  auto s = parse_subscription(d, *ctx, now);
  if (!s) return s;
  if (auto it = d.FindMember("jsonldContext"); it != d.MemberEnd())
    if (auto nc = contexts.from_link(std::string(json::view(it->value)))) (*s)->notification_context = *nc;
  if (expires) {
    (*s)->expires_at = parse_iso8601(*expires).value_or(0);
    json::Document original;
    original.CopyFrom(stored, original.GetAllocator());
    original.RemoveMember("@context");
    original.RemoveMember("@flavor");
    rename_terms(original, original.GetAllocator(), [&](std::string_view t) { return (*ctx)->expand(t); });
    (*s)->document = json::to_string(original);
  }
  return s;
}

}  // namespace dejima::subscription
