#include "subscription/notification.h"


#include "model/render.h"
#include "util/uri.h"

namespace dejima::subscription {
namespace {


// A copy of `after` whose changed instances carry previousValue (previousObject, ...) from `before`.
model::Entity with_previous_values(const model::Entity& after, const model::Entity& before) {
  model::Entity e = after;
  for (auto& inst : e.attrs) {
    const model::AttrInstance* old = before.find(inst.name, inst.dataset_id);
    if (!old || old->json == inst.json) continue;
    json::Document d;
    json::parse(d, old->json);
    if (!d.IsObject() || inst.json.size() < 2) continue;
    std::string_view key;
    json::Value::ConstMemberIterator it = d.MemberEnd();
    for (std::string_view k : {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"})
      if (it == d.MemberEnd() && (it = d.FindMember(rapidjson::StringRef(k.data(), k.size()))) != d.MemberEnd()) key = k;
    if (it == d.MemberEnd()) continue;
    std::string name = "previous" + std::string(key);
    name[8] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[8])));
    inst.json.pop_back();  // '}'
    inst.json += ",\"" + name + "\":" + json::to_string(it->value) + "}";
  }
  return e;
}

}  // namespace

std::string notification_body(const Subscription& s, const std::vector<Item>& items, std::string_view trigger, Millis now) {
  const jsonld::Context& ctx = *s.notification_context;
  model::RenderOptions o;
  o.format = s.format;
  o.sys_attrs = s.sys_attrs;
  o.lang = s.lang;
  if (!s.attributes.empty()) {
    o.pick = true;
    o.picked = s.attributes;
  }
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
    if (item.deleted) {
      w.StartObject();
      w.Key("id");
      json::write_string(w, item.entity->id);
      w.Key("type");
      if (item.entity->types.size() == 1) {
        json::write_string(w, ctx.compact(item.entity->types[0]));
      } else {
        w.StartArray();
        for (const auto& t : item.entity->types) json::write_string(w, ctx.compact(t));
        w.EndArray();
      }
      w.Key("deletedAt");
      json::write_string(w, format_iso8601(now));
      w.EndObject();
    } else if (s.show_changes && item.before && s.format == model::Format::Normalized) {
      model::render_entity(w, with_previous_values(*item.entity, *item.before), ctx, o);
    } else {
      model::render_entity(w, *item.entity, ctx, o);
    }
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
