#include "subscription/notification.h"

#include "model/parse.h"
#include "model/render.h"
#include "util/uri.h"

namespace dejima::subscription {
namespace {

// The member that holds an instance's value, and "previousValue" (previousObject, ...) for it.
std::pair<std::string_view, std::string> value_member(const json::Value& inst) {
  for (std::string_view k : {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"})
    if (inst.HasMember(rapidjson::StringRef(k.data(), k.size()))) {
      std::string previous = "previous" + std::string(k);
      previous[8] = static_cast<char>(std::toupper(static_cast<unsigned char>(previous[8])));
      return {k, previous};
    }
  return {"", ""};
}

// The old value of an instance as its previous member: vocab terms compacted like the value.
json::Value previous_value(const json::Value& v, std::string_view key, const jsonld::Context& ctx,
                           json::Document::AllocatorType& a) {
  if (key != "vocab") return json::Value(v, a);
  auto compact = [&](const json::Value& x) {
    return x.IsString() ? json::Value(ctx.compact(std::string(json::view(x))).c_str(), a) : json::Value(x, a);
  };
  if (!v.IsArray()) return compact(v);
  json::Value out(rapidjson::kArrayType);
  for (const auto& x : v.GetArray()) out.PushBack(compact(x), a);
  return out;
}

// How a notification shows an instance that is gone: its type
// and NGSI-LD Null as its value ({"@none": null} for a languageMap when only the attribute went),
// with showChanges its old value as previousValue (previousObject, ...).
std::string deleted_instance(const model::AttrInstance& old, bool entity_deleted, bool show_changes,
                             const jsonld::Context& ctx, Millis deleted_at) {
  json::Document d;
  json::parse_stored(d, old.json);
  json::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  if (!d.IsObject()) return old.json;
  auto [key, previous] = value_member(d);
  if (auto t = d.FindMember("type"); t != d.MemberEnd()) out.AddMember("type", json::Value(t->value, a), a);
  if (key.empty()) return json::to_string(out);
  json::Value null_value(model::kNull.data(), static_cast<rapidjson::SizeType>(model::kNull.size()), a);
  if (key == "languageMap" && !entity_deleted) {
    json::Value map(rapidjson::kObjectType);
    map.AddMember("@none", null_value, a);
    null_value = std::move(map);
  }
  out.AddMember(json::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), null_value, a);
  if (show_changes) out.AddMember(json::Value(previous.c_str(), a), previous_value(d[key.data()], key, ctx, a), a);
  if (deleted_at) out.AddMember("deletedAt", json::Value(format_iso8601(deleted_at).c_str(), a), a);
  return json::to_string(out);
}

// `after` with previousValue (previousObject, ...) on each instance changed since `before`.
void add_previous_values(model::Entity& after, const model::Entity& before, const jsonld::Context& ctx) {
  for (auto& inst : after.attrs) {
    const model::AttrInstance* old = before.find(inst.name, inst.dataset_id);
    if (!old || old->json == inst.json) continue;
    json::Document d;
    json::parse_stored(d, old->json);
    if (!d.IsObject() || inst.json.size() < 2) continue;
    auto [key, previous] = value_member(d);
    if (key.empty()) continue;
    json::Document p;
    p.SetObject();
    inst.json.pop_back();  // '}'
    inst.json +=
        ",\"" + previous + "\":" + json::to_string(previous_value(d[key.data()], key, ctx, p.GetAllocator())) + "}";
  }
}

// How one notification shows its entities.
struct Shown {
  bool show_changes = false;                       // previous values
  bool listed_attributes = false;                  // notification.attributes or pick names what to show
  const std::vector<std::string>* only = nullptr;  // for a deleted entity: only these (watched) attributes
  Millis deleted_at = 0;                           // sysAttrs: deletedAt on what went
};

// The entity a notification shows for one change: the new version with the instances that went
// as NGSI-LD Null (and, with showChanges, previous values); for a deleted entity, its id and type,
// and its attributes as NGSI-LD Null only when showChanges, notification.attributes or an
// attributeDeleted trigger on watched attributes asks.
model::Entity notified_entity(const Item& item, const Shown& how, const jsonld::Context& ctx) {
  if (item.deleted) {
    model::Entity e = *item.entity;
    if (how.only)
      std::erase_if(e.attrs, [&](const model::AttrInstance& a) {
        return std::find(how.only->begin(), how.only->end(), a.name.str()) == how.only->end();
      });
    else if (!how.show_changes && !how.listed_attributes)
      e.attrs.clear();
    for (auto& inst : e.attrs) inst.json = deleted_instance(inst, true, how.show_changes, ctx, how.deleted_at);
    return e;
  }
  model::Entity e = *item.entity;
  if (!item.before) return e;
  if (how.show_changes) add_previous_values(e, *item.before, ctx);
  for (const auto& old : item.before->attrs)
    if (!item.entity->find(old.name, old.dataset_id)) {
      model::AttrInstance gone = old;
      gone.json = deleted_instance(old, false, how.show_changes, ctx, how.deleted_at);
      e.insert(std::move(gone));
    }
  return e;
}

}  // namespace

std::string notification_body(const Subscription& s, const std::vector<Item>& items, std::string_view trigger,
                              Millis now) {
  const jsonld::Context& ctx = *s.notification_context;
  model::RenderOptions o;
  o.format = s.format;
  o.with_context = s.accept_jsonld;  // application/ld+json: each entity carries the @context too
  o.sys_attrs = s.sys_attrs;
  o.lang = s.lang;
  o.dataset_ids = s.dataset_ids;
  if (!s.attributes.empty()) {
    o.pick = true;
    o.picked = s.attributes;
  } else if (!s.pick.empty()) {
    o.pick = true;
    o.pick_id_type = false;
    o.picked = s.pick;
  }
  o.omitted = s.omit;
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, random_urn("Notification"));
  w.Key("type");
  w.String("Notification");
  w.Key("subscriptionId");
  json::write_string(w, s.id);
  w.Key("notifiedAt");
  json::write_string(w, format_iso8601(now));
  if (!trigger.empty()) {
    w.Key("triggerReason");
    json::write_string(w, trigger);
  }
  w.Key("data");
  w.StartArray();
  for (const auto& item : items) {
    Shown how;
    how.show_changes = s.show_changes && s.format == model::Format::Normalized;
    how.listed_attributes = !s.attributes.empty() || !s.pick.empty();
    if (trigger == trigger_name(kAttributeDeleted) && !s.watched.empty()) how.only = &s.watched;
    if (s.sys_attrs) how.deleted_at = now;
    const model::Entity e = notified_entity(item, how, ctx);
    if (!item.deleted) {
      model::render_entity(w, e, ctx, o);
      continue;
    }
    // A deleted entity: id, type, deletedAt, then its attributes as NGSI-LD Null.
    json::Document d;
    const std::string body = model::render_entity(e, ctx, o);
    (void)json::parse_stored(d, body);
    w.StartObject();
    w.Key("id");
    json::write_string(w, e.id);
    w.Key("type");
    if (e.types.size() == 1) {
      json::write_string(w, ctx.compact(e.types[0]));
    } else {
      w.StartArray();
      for (const auto& t : e.types) json::write_string(w, ctx.compact(t));
      w.EndArray();
    }
    w.Key("deletedAt");
    json::write_string(w, format_iso8601(now));
    if (d.IsObject())
      for (auto& m : d.GetObject()) {
        const std::string_view k = json::view(m.name);
        if (k == "id" || k == "type" || k == "@context") continue;
        json::write_key(w, k);
        m.value.Accept(w);
      }
    w.EndObject();
  }
  w.EndArray();
  if (s.accept_jsonld) {
    w.Key("@context");
    json::write_raw(w, ctx.context_json());
  }
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

notify::Message notification_message(const Subscription& s, std::string body) {
  notify::Message m;
  m.key = s.key();
  m.uri = s.uri;
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Content-Type", s.accept_jsonld ? "application/ld+json" : "application/json");
  if (!s.accept_jsonld)
    headers.emplace_back("Link", "<" + s.notification_context->link_url() +
                                     ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
  if (!s.tenant.empty()) headers.emplace_back("NGSILD-Tenant", s.tenant);
  for (const auto& kv : s.receiver_info) headers.push_back(kv);
  const bool mqtt = s.uri.starts_with("mqtt");
  if (!mqtt) {
    m.headers = std::move(headers);
    m.body = std::move(body);
    return m;
  }
  for (const auto& [k, v] : s.notifier_info)
    if (k == "MQTT-QoS" && (v == "0" || v == "1" || v == "2")) m.qos = v[0] - '0';
  // MQTT has no headers: the payload carries them as "metadata" beside the "body".
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  for (const auto& [k, v] : headers) {
    json::write_key(w, k);
    json::write_string(w, v);
  }
  w.EndObject();
  w.Key("body");
  json::write_raw(w, body);
  w.EndObject();
  m.body.assign(sb.GetString(), sb.GetSize());
  return m;
}

}  // namespace dejima::subscription
