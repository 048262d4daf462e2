#include "ngsiv2/notification.h"

#include <strings.h>
#include <algorithm>
#include <functional>

#include "fetch/transfers.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/request_context.h"
#include "ngsiv2/subscription.h"
#include "util/uri.h"

namespace dejima::ngsiv2 {
namespace {

// The macro values of one entity: id, type, service, servicePath and each attribute's value.
json::Document macro_values(const model::Entity& e, const std::string& tenant, const broker::Origin* origin) {
  json::Document d;
  json::parse(d, json::written([&](json::Writer& w) { write_entity(w, e, View{.format = Format::KeyValues}); }));
  auto& a = d.GetAllocator();
  d.AddMember("service", json::Value(tenant.c_str(), a), a);
  d.AddMember("servicePath", json::Value(RequestContext::path_of(e).c_str(), a), a);
  d.AddMember("authToken", json::Value(origin ? origin->auth_token.c_str() : "", a), a);
  return d;
}

// A json template with its macros filled: a string that is exactly ${x} becomes x's JSON value.
void fill_json(json::Value& v, const json::Value& values, rapidjson::MemoryPoolAllocator<>& a) {
  if (v.IsString()) {
    std::string_view s = json::view(v);
    if (s.starts_with("${") && s.ends_with("}") && s.find("${", 2) == std::string_view::npos) {
      const std::string name(s.substr(2, s.size() - 3));
      if (const auto* m = json::member(values, name))
        v.CopyFrom(*m, a);
      else
        v.SetNull();
      return;
    }
    const std::string filled = fill_macros(s, values, "null");
    v.SetString(filled.c_str(), static_cast<rapidjson::SizeType>(filled.size()), a);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) fill_json(e, values, a);
  } else if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) fill_json(m->value, values, a);
  }
}

// What the notification shows of the entity.
View view_for(const Spec& spec, const model::Entity& e, const subscription::Diff& d) {
  View v;
  if (spec.attrs_format == "keyValues" || spec.attrs_format == "simplifiedKeyValues") v.format = Format::KeyValues;
  if (spec.attrs_format == "values") v.format = Format::Values;
  if (!spec.metadata.empty()) v.metadata = MetadataFilter{.all = false, .names = spec.metadata};
  if (spec.except) {
    for (const auto* a : shown_attributes(e))
      if (std::string n = v2_name(a->name); std::find(spec.attrs.begin(), spec.attrs.end(), n) == spec.attrs.end())
        v.attrs.push_back(std::move(n));
    std::sort(v.attrs.begin(), v.attrs.end());
    if (v.attrs.empty()) v.attrs.push_back("");  // none of its attributes
  } else {
    v.attrs = spec.attrs;
  }
  if (spec.only_changed) {
    std::vector<std::string> changed;
    for (const auto& [name, kind] : d.attrs) changed.push_back(v2_name(name));
    if (v.attrs.empty()) {
      v.attrs = changed;
      std::sort(v.attrs.begin(), v.attrs.end());
    } else {
      std::erase_if(v.attrs, [&](const std::string& n) {  // the built-ins stay
        return n != "alterationType" && n != "dateCreated" && n != "dateModified" &&
               std::find(changed.begin(), changed.end(), n) == changed.end();
      });
    }
    if (v.attrs.empty()) v.attrs.push_back("");
  }
  return v;
}

// {"subscriptionId", "data": [entity]}, or the bare entity (simplified formats).
std::string wrapped(const subscription::Subscription& s, const Spec& spec,
                    const std::function<void(json::Writer&)>& entity) {
  return json::written([&](json::Writer& w) {
    if (spec.attrs_format.starts_with("simplified")) return entity(w);
    w.StartObject();
    w.Key("subscriptionId");
    json::write_string(w, s.id);
    w.Key("data");
    w.StartArray();
    entity(w);
    w.EndArray();
    w.EndObject();
  });
}

// The ngsi template applied to the normalized entity (id, type and the attributes it names
// replaced), then written in the subscription's format.
void write_patched(json::Writer& w, const Spec& spec, const model::Entity& e, const View& v,
                   const json::Value& values) {
  json::Document entity;
  json::parse(entity, json::written([&](json::Writer& ew) {
                write_entity(ew, e, View{.attrs = v.attrs, .metadata = v.metadata});
              }));
  json::Document patch;
  json::parse(patch, spec.endpoint.text);
  auto& a = entity.GetAllocator();
  fill_json(patch, values, patch.GetAllocator());
  for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
    const std::string_view name = json::view(m->name);
    json::Value value;
    value.CopyFrom(m->value, a);
    if (name != "id" && name != "type" && value.IsObject()) {  // as Orion writes it: type, value, metadata
      const json::Value* v = json::member(m->value, "value");
      const char* inferred = !v || v->IsNull() ? "None"
                             : v->IsString()   ? "Text"
                             : v->IsNumber()   ? "Number"
                             : v->IsBool()     ? "Boolean"
                                               : "StructuredValue";
      json::Value attr(rapidjson::kObjectType);
      if (const json::Value* t = json::member(value, "type"))
        attr.AddMember("type", json::Value(*t, a), a);
      else
        attr.AddMember("type", json::Value(rapidjson::StringRef(inferred)), a);
      for (auto f = value.MemberBegin(); f != value.MemberEnd(); ++f)
        if (json::view(f->name) != "type" && json::view(f->name) != "metadata")
          attr.AddMember(json::Value(f->name, a), json::Value(f->value, a), a);
      const json::Value* md = json::member(value, "metadata");
      attr.AddMember("metadata", md ? json::Value(*md, a) : json::Value(rapidjson::kObjectType), a);
      value = std::move(attr);
    }
    entity.RemoveMember(m->name);
    entity.AddMember(json::Value(m->name, a), value, a);
  }
  if (v.format == Format::Normalized) return (void)entity.Accept(w);
  if (v.format == Format::Values)
    w.StartArray();
  else
    w.StartObject();
  for (auto m = entity.MemberBegin(); m != entity.MemberEnd(); ++m) {
    const std::string_view name = json::view(m->name);
    const bool builtin = name == "id" || name == "type";
    if (v.format == Format::Values && builtin) continue;
    if (v.format != Format::Values) json::write_key(w, name);
    const json::Value* value = builtin ? &m->value : json::member(m->value, "value");
    if (value)
      value->Accept(w);
    else
      w.Null();
  }
  if (v.format == Format::Values)
    w.EndArray();
  else
    w.EndObject();
}

// The request's correlator (its root, before any "; cbnotif=") and the notification's number
// among those the request caused; a new one when the change has no request.
std::string correlator(const broker::Origin* origin) {
  if (!origin) return random_uuid() + "; cbnotif=1";
  const std::string_view root = std::string_view(origin->correlator).substr(0, origin->correlator.find(';'));
  return std::string(root) + "; cbnotif=" + std::to_string(++origin->notifications);
}

// Orion's name of what a change did: a write that changed nothing is an update.
std::string_view alteration_name(const subscription::Item& item, const subscription::Diff& d) {
  if (item.deleted) return "entityDelete";
  if (!item.before) return "entityCreate";
  const bool forced = item.origin && item.origin->forced;
  return d.value_changed.empty() && d.meta_changed.empty() && !forced ? "entityUpdate" : "entityChange";
}

// An attribute of Orion's notifications that the entity does not hold: {"type", "value", "metadata": {}}.
json::Value made_attribute(std::string_view type, json::Value value, rapidjson::MemoryPoolAllocator<>& a) {
  json::Value out(rapidjson::kObjectType);
  out.AddMember("type", json::Value(type.data(), static_cast<rapidjson::SizeType>(type.size()), a), a);
  out.AddMember("value", value, a);
  out.AddMember("metadata", json::Value(rapidjson::kObjectType), a);
  return out;
}

// What a notification adds to the entity as the view shows it: the built-in alterationType, the
// listed attributes the entity lacks (covered), and the previousValue and actionType metadata of
// the attributes the change wrote, when the subscription asks for them.
struct Additions {
  std::string_view alteration;
  const std::vector<std::string>* covered = nullptr;  // the listed attributes, when `covered`
  const model::Entity* before = nullptr;              // previousValue: the version before
  const subscription::Diff* diff = nullptr;           // previousValue, actionType: what was written
  bool previous_value = false, action_type = false;
};

void write_notified(json::Writer& w, const model::Entity& e, const View& v, const Additions& add) {
  const bool alteration = v.builtin("alterationType");
  const bool metadata = v.format == Format::Normalized && (add.previous_value || add.action_type) && add.diff;
  if (!alteration && !metadata && !add.covered) return write_entity(w, e, v);
  json::Document d;
  json::parse(d, json::written([&](json::Writer& ew) { write_entity(ew, e, v); }));
  auto& a = d.GetAllocator();
  auto value_of = [&](json::Value value, std::string_view type) {
    return v.format == Format::Normalized ? made_attribute(type, std::move(value), a) : std::move(value);
  };
  auto add_member = [&](std::string_view name, json::Value value) {
    if (d.IsArray()) return (void)d.PushBack(value, a);
    d.AddMember(json::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), a), value, a);
  };
  if (metadata && d.IsObject())
    for (const auto& [name, kind] : add.diff->attrs) {
      json::Value* attr = json::member(d, v2_name(name));
      json::Value* md = attr && attr->IsObject() ? json::member(*attr, "metadata") : nullptr;
      if (!md || !md->IsObject()) continue;
      if (add.previous_value && add.before)
        if (const auto* old = add.before->find(name, "")) {
          json::Document prev;
          json::parse(prev, json::written([&](json::Writer& pw) { write_value(pw, *old); }));
          md->AddMember("previousValue", made_attribute(type_of(*old), json::Value(prev, a), a), a);
          md->FindMember("previousValue")->value.RemoveMember("metadata");
        }
      if (add.action_type) {
        const char* action = kind == subscription::kAttributeDeleted   ? "delete"
                             : kind == subscription::kAttributeCreated ? "append"
                                                                       : "update";
        json::Value at(rapidjson::kObjectType);
        at.AddMember("type", "Text", a);
        at.AddMember("value", json::Value(rapidjson::StringRef(action)), a);
        md->AddMember("actionType", at, a);
      }
    }
  if (add.covered && d.IsObject())
    for (const auto& name : *add.covered)
      if (name != "alterationType" && name != "dateCreated" && name != "dateModified" && name != "*" &&
          !d.HasMember(name.c_str()))
        add_member(name, value_of(json::Value(), "None"));
  if (alteration) {
    json::Value text(add.alteration.data(), static_cast<rapidjson::SizeType>(add.alteration.size()), a);
    add_member("alterationType", value_of(std::move(text), "Text"));
  }
  d.Accept(w);
}

void set_header(notify::Message& m, const std::string& name, std::string value) {
  auto it = std::find_if(m.headers.begin(), m.headers.end(),
                         [&](const auto& h) { return strcasecmp(h.first.c_str(), name.c_str()) == 0; });
  if (it == m.headers.end())
    m.headers.emplace_back(name, std::move(value));
  else
    it->second = std::move(value);
}

}  // namespace

std::string fill_macros(std::string_view tmpl, const json::Value& values, std::string_view missing) {
  std::string out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    const size_t open = tmpl.find("${", pos);
    const size_t close = open == std::string_view::npos ? open : tmpl.find('}', open + 2);
    if (close == std::string_view::npos) {
      out += tmpl.substr(pos);
      break;
    }
    out += tmpl.substr(pos, open - pos);
    const json::Value* v = json::member(values, tmpl.substr(open + 2, close - open - 2));
    if (!v)
      out += missing;
    else if (v->IsString())
      out += json::view(*v);
    else
      out += json::to_string(*v);
    pos = close + 1;
  }
  return out;
}

Result<std::shared_ptr<subscription::Subscription>> SubscriptionFlavor::restore(const json::Value& stored,
                                                                                Millis) const {
  auto spec = std::make_shared<Spec>();
  if (auto st = parse_spec(stored, *spec, false); !st) return std::unexpected(st.error());
  if (const auto* path = json::member(stored, "servicePath"); path && path->IsString())
    spec->service_path = std::string(json::view(*path));
  const auto* id = json::member(stored, "id");
  if (!id || !id->IsString()) return fail(ErrorKind::BadRequestData, "stored subscription", "no id");
  return build_subscription(std::move(spec), "", std::string(json::view(*id)), *this);
}

std::string SubscriptionFlavor::stored(const subscription::Subscription& s) const {
  return render_subscription(s, static_cast<const Spec&>(*s.ext), 0, true);
}

std::vector<notify::Message> SubscriptionFlavor::messages(const subscription::Subscription& s,
                                                          const subscription::Item& item, const subscription::Diff& d,
                                                          unsigned, Millis) const {
  const Spec& spec = static_cast<const Spec&>(*s.ext);
  const Endpoint& ep = spec.endpoint;
  const model::Entity& e = *item.entity;
  const View view = view_for(spec, e, d);
  if (spec.only_changed && view.attrs == std::vector<std::string>{""}) return {};  // none of them changed
  auto asks = [&](std::string_view m) {
    return std::find(spec.metadata.begin(), spec.metadata.end(), m) != spec.metadata.end();
  };
  const Additions add{.alteration = alteration_name(item, d),
                      .covered = spec.covered && !spec.except ? &spec.attrs : nullptr,
                      .before = item.deleted ? nullptr : item.before.get(),
                      .diff = &d,
                      .previous_value = asks("previousValue"),
                      .action_type = asks("actionType")};
  notify::Message m;
  m.method = ep.method.empty() ? "POST" : ep.method;
  m.max_attempts = 1;
  m.timeout_ms = ep.timeout_ms;
  m.any_status_ok = true;
  m.headers = {{"User-Agent", orion_user_agent()}};
  if (!s.tenant.empty()) m.headers.emplace_back("Fiware-Service", s.tenant);
  m.headers.emplace_back("Fiware-ServicePath", RequestContext::path_of(e));
  if (item.origin && !item.origin->auth_token.empty()) m.headers.emplace_back("X-Auth-Token", item.origin->auth_token);
  m.headers.emplace_back("Accept", "application/json");
  std::string format = spec.attrs_format;
  std::string content_type = "application/json; charset=utf-8";
  std::string topic = ep.topic;  // MQTT
  if (!ep.custom) {
    m.uri = ep.url;
    m.body = wrapped(s, spec, [&](json::Writer& w) { write_notified(w, e, view, add); });
  } else {
    const json::Document values = macro_values(e, s.tenant, item.origin);
    m.uri = fill_macros(ep.url, values, "");
    topic = fill_macros(ep.topic, values, "");
    char sep = m.uri.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : ep.qs) {
      std::string value = fill_macros(v, values, "");
      if (value.empty()) continue;
      m.uri += sep + fill_macros(k, values, "") + "=" + value;
      sep = '&';
    }
    switch (ep.payload) {
      case Endpoint::Payload::Standard:
        m.body = wrapped(s, spec, [&](json::Writer& w) { write_notified(w, e, view, add); });
        break;
      case Endpoint::Payload::Text:
        m.body = fill_macros(ep.text, values, "null");
        m.body = percent_decode(m.body).value_or(m.body);
        content_type = "text/plain; charset=utf-8";
        format = "custom";
        break;
      case Endpoint::Payload::Null:
        content_type.clear();
        format = "custom";
        break;
      case Endpoint::Payload::Json: {
        json::Document tmpl;
        json::parse(tmpl, ep.text);
        fill_json(tmpl, values, tmpl.GetAllocator());
        m.body = json::to_string(tmpl);
        format = "custom";
        break;
      }
      case Endpoint::Payload::Ngsi:
        m.body = wrapped(s, spec, [&](json::Writer& w) { write_patched(w, spec, e, view, values); });
        break;
    }
    if (!content_type.empty()) m.headers.emplace_back("Content-Type", content_type);
    content_type.clear();
    for (const auto& [k, v] : ep.headers) {
      const std::string name = fill_macros(k, values, "");
      std::string value = fill_macros(v, values, "");
      value = percent_decode(value).value_or(value);  // Orion's forbidden characters come %-encoded
      if (name.empty() || strcasecmp(name.c_str(), "Fiware-Correlator") == 0 ||
          strcasecmp(name.c_str(), "Ngsiv2-AttrsFormat") == 0)
        continue;
      set_header(m, name, std::move(value));  // "" removes the header (fetch::Post)
    }
  }
  if (!content_type.empty()) m.headers.emplace_back("Content-Type", content_type);
  if (!std::any_of(m.headers.begin(), m.headers.end(),
                   [](const auto& h) { return strcasecmp(h.first.c_str(), "Content-Type") == 0; }))
    m.headers.emplace_back("Content-Type", "");  // curl adds none of its own
  m.headers.emplace_back("Fiware-Correlator", correlator(item.origin));
  m.headers.emplace_back("Ngsiv2-AttrsFormat", format);
  if (ep.mqtt) {  // the same body, published to the topic without headers
    std::string broker = ep.url;
    while (broker.ends_with('/')) broker.pop_back();
    m.uri = broker + "/" + topic;
    m.user = ep.user;
    m.password = ep.passwd;
    m.headers.clear();
    m.qos = ep.qos;
    m.retain = ep.retain;
  }
  std::vector<notify::Message> out;
  out.push_back(std::move(m));
  return out;
}

}  // namespace dejima::ngsiv2
