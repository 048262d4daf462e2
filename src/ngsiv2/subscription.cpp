#include "ngsiv2/subscription.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>

#include "ngsiv2/attribute.h"
#include "ngsiv2/request_context.h"
#include "ngsiv2/selection.h"
#include "util/uri.h"

namespace dejima::ngsiv2 {
namespace {

constexpr std::int64_t kMaxHttpTimeoutMs = 1800000;
constexpr size_t kMaxDescription = 1024;
constexpr std::string_view kMethods[] = {"GET",  "PUT",     "POST",  "DELETE", "PATCH",
                                         "HEAD", "OPTIONS", "TRACE", "CONNECT"};
constexpr std::string_view kAlterations[] = {"entityCreate", "entityUpdate", "entityChange", "entityDelete"};

// Whether a value of a q/mq statement holds one of <>();= (outside quotes), which Orion refuses in
// a subscription's filter.
bool forbidden_filter_value(std::string_view text) {
  static constexpr std::string_view kOps[] = {"==", "!=", ">=", "<=", "~=", ">", "<", ":"};
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view st = text.substr(start, end - start);
    for (size_t i = 0; i < st.size(); ++i) {
      auto op = std::find_if(std::begin(kOps), std::end(kOps),
                             [&](std::string_view o) { return st.substr(i, o.size()) == o; });
      if (op == std::end(kOps)) continue;
      char quote = 0;
      for (char c : st.substr(i + op->size())) {
        if (quote) {
          quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (std::string_view("<>();=").find(c) != std::string_view::npos) {
          return true;
        }
      }
      break;
    }
    start = end + 1;
  }
  return false;
}

Status parse_expression(const json::Value& v, Spec& spec) {
  if (!v.IsObject()) return bad("expression is not an object");
  if (v.ObjectEmpty()) return bad("expression is empty");
  bool given = false;
  for (auto [name, field] : {std::pair{"q", &spec.q}, std::pair{"mq", &spec.mq}}) {
    if (auto st = opt_string(v, name, "", *field, given); !st) return st;
    if (given && field->empty()) return bad(std::string(name) + " is empty");
  }
  for (const std::string* text : {&spec.q, &spec.mq})  // in a value: an operator's characters
    if (forbidden_filter_value(*text)) return bad("forbidden characters in String Filter");
  SimpleQuery check;
  if (!spec.q.empty())
    if (auto st = translate_query(spec.q, false, check); !st) return st;
  if (!spec.mq.empty())
    if (auto st = translate_query(spec.mq, true, check); !st) return st;
  for (auto [name, field] :
       {std::pair{"geometry", &spec.geometry}, std::pair{"coords", &spec.coords}, std::pair{"georel", &spec.georel}}) {
    if (auto st = opt_string(v, name, "", *field, given); !st) return st;
    if (given && field->empty()) return bad(std::string(name) + " is empty");
  }
  if (!spec.geometry.empty() || !spec.coords.empty() || !spec.georel.empty()) {
    if (spec.geometry.empty() || spec.coords.empty() || spec.georel.empty())
      return bad("partial geo expression: geometry, georel and coords have to be provided together");
    auto geo = geo_test(&spec.georel, &spec.geometry, &spec.coords);
    if (!geo) {
      std::string_view detail = geo.error().detail;
      if (detail.starts_with("Invalid query: ")) detail.remove_prefix(15);
      return bad("error parsing geo-query fields: " + std::string(detail));
    }
  }
  return {};
}

Status parse_subject(const json::Value& v, Spec& spec) {
  spec.entities.clear();
  spec.condition_attrs.clear();
  spec.q.clear(), spec.mq.clear(), spec.geometry.clear(), spec.coords.clear(), spec.georel.clear();
  spec.alteration_types.clear();
  spec.notify_on_metadata_change = true;
  if (!v.IsObject()) return bad("subject is not an object");
  const auto* entities = json::member(v, "entities");
  if (!entities) return bad("no subject entities specified");
  if (auto st = parse_entities(*entities, spec.entities); !st) return st;
  if (spec.entities.empty()) return bad("subject entities is empty");
  const auto* condition = json::member(v, "condition");
  if (!condition) return {};
  if (!condition->IsObject()) return bad("condition is not an object");
  if (condition->ObjectEmpty()) return bad("condition is empty");
  if (const auto* attrs = json::member(*condition, "attrs"))
    if (auto st = string_vector(*attrs, "attrs", spec.condition_attrs); !st) return st;
  if (const auto* ex = json::member(*condition, "expression"))
    if (auto st = parse_expression(*ex, spec); !st) return st;
  if (const auto* alt = json::member(*condition, "alterationTypes")) {
    if (auto st = string_vector(*alt, "alterationTypes", spec.alteration_types); !st) return st;
    for (const auto& a : spec.alteration_types)
      if (std::find(std::begin(kAlterations), std::end(kAlterations), a) == std::end(kAlterations))
        return bad("unknown subscription alterationType: " + a);
  }
  return opt_bool(*condition, "notifyOnMetadataChange", spec.notify_on_metadata_change);
}

Status parse_timeout(const json::Value& v, Endpoint& ep) {
  bool given = false;
  std::int64_t t = 0;
  if (auto st = opt_int(v, "timeout", t, given); !st) return st;
  if (given && (t < 0 || t > kMaxHttpTimeoutMs))
    return bad("timeout field must be an integer between 0 and " + std::to_string(kMaxHttpTimeoutMs));
  ep.timeout_ms = t;
  return {};
}

Status parse_dictionary(const json::Value& v, const std::string& what, KeyValues& out, bool quotes_ok) {
  if (!v.IsObject()) return bad(what + " is not an object");
  if (v.ObjectEmpty()) return bad(what + " is empty");
  out.clear();
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    if (!m->value.IsString()) return bad(what + " element is not a string");
    std::string_view key = json::view(m->name), value = json::view(m->value);
    auto bad_char = [&](std::string_view s) {
      return std::any_of(s.begin(), s.end(),
                         [&](char c) { return forbidden_in_text(c) && !(quotes_ok && (c == '\'' || c == '"')); });
    };
    if (bad_char(key) || bad_char(value)) return bad("forbidden characters in custom " + what);
    out.emplace_back(key, value);
  }
  std::sort(out.begin(), out.end());  // Orion keeps them in a map
  return {};
}

// The payload of httpCustom or mqttCustom: payload (text or null), json or ngsi.
Status parse_payload(const json::Value& v, Endpoint& ep) {
  const int payloads = v.HasMember("payload") + v.HasMember("json") + v.HasMember("ngsi");
  if (payloads > 1)
    return bad(
        "only one of payload, json or ngsi fields accepted at the same time in httpCustom, mqttCustom or "
        "kafkaCustom");
  if (const auto* p = json::member(v, "payload")) {
    if (p->IsNull()) {
      ep.payload = Endpoint::Payload::Null;
    } else {
      if (!p->IsString()) return bad("payload custom notification is not a string");
      ep.text = std::string(json::view(*p));
      if (forbidden(ep.text)) return bad("forbidden characters in custom /payload/");
      ep.payload = Endpoint::Payload::Text;
    }
  } else if (const auto* j = json::member(v, "json")) {
    if (!j->IsObject() && !j->IsArray())
      return bad("json fields in httpCustom, mqttCustom or kafkaCustom must be object or array");
    ep.payload = Endpoint::Payload::Json;
    ep.text = json::to_string(*j);
  } else if (const auto* n = json::member(v, "ngsi")) {
    if (!n->IsObject()) return bad("ngsi field in httpCustom, mqttCustom or kafkaCustom must be an object");
    ep.payload = Endpoint::Payload::Ngsi;
    ep.text = json::to_string(*n);
  }
  return {};
}

Status parse_custom(const json::Value& v, Endpoint& ep) {
  if (!v.IsObject()) return bad("httpCustom notification is not an object");
  const auto* url = json::member(v, "url");
  if (!url) return bad("url httpCustom notification is missing");
  if (!url->IsString()) return bad("url httpCustom notification is not a string");
  ep.url = std::string(json::view(*url));
  if (forbidden(ep.url)) return bad("forbidden characters in custom /url/");
  if (ep.url.find("${") == std::string::npos && !valid_url(ep.url)) {
    if (ep.url.starts_with("mqtt://")) return bad("mqtt URL cannot be used in http notifications");
    return bad("invalid custom /url/");
  }
  bool given = false;
  if (auto st = opt_string(v, "method", "method httpCustom notification", ep.method, given); !st) return st;
  if (given && std::find(std::begin(kMethods), std::end(kMethods), ep.method) == std::end(kMethods))
    return bad("unknown method httpCustom notification");
  if (auto st = parse_payload(v, ep); !st) return st;
  if (const auto* qs = json::member(v, "qs"))
    if (auto st = parse_dictionary(*qs, "notification httpCustom qs", ep.qs, false); !st) return st;
  if (const auto* h = json::member(v, "headers"))
    if (auto st = parse_dictionary(*h, "notification httpCustom headers", ep.headers, true); !st) return st;
  if (auto st = parse_timeout(v, ep); !st) return st;
  ep.custom = true;
  return {};
}

// mqtt and mqttCustom: the broker's URL (no path), user and passwd together, qos 0-2, retain, and
// the topic (no wildcards); mqttCustom adds a payload template.
Status parse_mqtt(const json::Value& v, Endpoint& ep, bool custom) {
  if (!v.IsObject()) return bad(std::string(custom ? "mqttCustom" : "mqtt") + " notification is not an object");
  const auto* url = json::member(v, "url");
  if (!url) return bad("mandatory mqtt field /url/");
  if (!url->IsString()) return bad("url mqtt notification is not a string");
  ep.url = std::string(json::view(*url));
  if (forbidden(ep.url)) return bad("forbidden characters in mqtt field /url/");
  if (ep.url.starts_with("http://") || ep.url.starts_with("https://"))
    return bad("http or https URL cannot be used in mqtt notifications");
  if (!ep.url.starts_with("mqtt://")) return bad("invalid mqtt /url/");
  const std::string_view rest = std::string_view(ep.url).substr(7);
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 != rest.size())
    return bad("path cannot be used in mqtt url, use topic instead");
  const size_t colon = authority.rfind(':');
  const std::string_view host = authority.substr(0, colon);
  const std::string_view port = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
  if (host.empty() || authority.find('@') != std::string_view::npos ||
      (colon != std::string_view::npos &&
       (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char ch) { return std::isdigit(ch); }) ||
        std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)))
    return bad("invalid mqtt /url/");
  bool given_user = false, given_passwd = false;
  if (auto st = opt_string(v, "user", "user mqtt notification", ep.user, given_user); !st) return st;
  if (given_user && forbidden(ep.user)) return bad("forbidden characters in mqtt /user/");
  if (auto st = opt_string(v, "passwd", "passwd mqtt notification", ep.passwd, given_passwd); !st) return st;
  if (given_user != given_passwd) return bad("you must use user and passwd fields simultaneously");
  bool given = false;
  std::int64_t qos = 0;
  if (auto st = opt_int(v, "qos", qos, given); !st) return st;
  if (given && (qos < 0 || qos > 2)) return bad("mqtt qos field must be an integer in the 0 to 2 range");
  ep.qos = static_cast<int>(qos);
  if (auto st = opt_bool(v, "retain", ep.retain); !st) return st;
  const auto* topic = json::member(v, "topic");
  if (!topic) return bad("mandatory mqtt field /topic/");
  if (!topic->IsString()) return bad("topic mqtt notification is not a string");
  ep.topic = std::string(json::view(*topic));
  if (ep.topic.empty()) return bad("empty mqtt field /topic/");
  if (ep.topic.find_first_of("+#") != std::string::npos) return bad("+ and # are not allowed in mqtt field /topic/");
  if (forbidden(ep.topic)) return bad("forbidden characters in mqtt field /topic/");
  if (custom)
    if (auto st = parse_payload(v, ep); !st) return st;
  ep.mqtt = true;
  ep.custom = custom;
  return {};
}

Status parse_notification(const json::Value& v, Spec& spec) {
  spec.attrs.clear();
  spec.except = spec.only_changed = spec.covered = false;
  spec.attrs_format = "normalized";
  spec.metadata.clear();
  spec.max_fails = 0;
  spec.endpoint = {};
  if (!v.IsObject()) return bad("notification is not an object");
  const int kinds = v.HasMember("http") + v.HasMember("httpCustom") + v.HasMember("mqtt") + v.HasMember("mqttCustom") +
                    v.HasMember("kafka") + v.HasMember("kafkaCustom");
  if (kinds > 1) return bad("only one of http, httpCustom, mqtt, mqttCustom, kafka or kafkaCustom is allowed");
  if (kinds == 0) return bad("http, httpCustom, mqtt, mqttCustom, kafka or kafkaCustom is missing");
  if (const auto* http = json::member(v, "http")) {
    if (!http->IsObject()) return bad("http notification is not an object");
    const auto* url = json::member(*http, "url");
    if (!url) return bad("url http notification is missing");
    if (!url->IsString()) return bad("url http notification is not a string");
    spec.endpoint.url = std::string(json::view(*url));
    if (forbidden(spec.endpoint.url)) return bad("forbidden characters in http field /url/");
    if (auto st = parse_timeout(*http, spec.endpoint); !st) return st;
    if (spec.endpoint.url.starts_with("mqtt://")) return bad("mqtt URL cannot be used in http notifications");
    if (!valid_url(spec.endpoint.url)) return bad("Invalid URL parsing notification url");
  } else if (const auto* custom = json::member(v, "httpCustom")) {
    if (auto st = parse_custom(*custom, spec.endpoint); !st) return st;
  } else if (const auto* mqtt = json::member(v, "mqtt")) {
    if (auto st = parse_mqtt(*mqtt, spec.endpoint, false); !st) return st;
  } else if (const auto* mqtt_custom = json::member(v, "mqttCustom")) {
    if (auto st = parse_mqtt(*mqtt_custom, spec.endpoint, true); !st) return st;
  } else {
    return std::unexpected(
        Error{ErrorKind::OperationNotSupported, "NotImplemented", "Kafka notifications are not served by Dejima"});
  }
  if (v.HasMember("attrs") && v.HasMember("exceptAttrs")) return bad("http notification has attrs and exceptAttrs");
  if (const auto* a = json::member(v, "attrs")) {
    if (auto st = string_vector(*a, "attrs", spec.attrs); !st) return st;
  } else if (const auto* e = json::member(v, "exceptAttrs")) {
    if (auto st = string_vector(*e, "exceptAttrs", spec.attrs); !st) return st;
    if (spec.attrs.empty()) return bad("http notification has exceptAttrs is empty");
    spec.except = true;
  }
  if (auto st = opt_bool(v, "onlyChangedAttrs", spec.only_changed); !st) return st;
  if (auto st = opt_bool(v, "covered", spec.covered); !st) return st;
  if (spec.covered && spec.attrs.empty())
    return bad("covered true cannot be used if notification attributes list is empty");
  if (const auto* m = json::member(v, "metadata"))
    if (auto st = string_vector(*m, "metadata", spec.metadata); !st) return st;
  bool given = false;
  std::string format;
  if (auto st = opt_string(v, "attrsFormat", "", format, given); !st) return st;
  if (given) {
    if (format != "normalized" && format != "keyValues" && format != "values" && format != "simplifiedNormalized" &&
        format != "simplifiedKeyValues")
      return bad(
          "invalid attrsFormat, accepted values: normalized, simplifiedNormalized, keyValues, simplifiedkeyValues, "
          "values");
    spec.attrs_format = format;
  }
  if (auto st = opt_int(v, "maxFailsLimit", spec.max_fails, given); !st) return st;
  if (given && spec.max_fails <= 0) return bad("maxFailsLimit must be greater than zero");
  return {};
}

// Seconds: Orion keeps subscription times as whole seconds.
Millis seconds(Millis t) { return t - ((t % 1000) + 1000) % 1000; }

void write_strings(json::Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const auto& s : v) json::write_string(w, s);
  w.EndArray();
}

void write_date(json::Writer& w, const char* key, Millis t) {
  w.Key(key);
  json::write_string(w, format_iso8601(seconds(t)));
}

// `stored`: the document kept in the Storage, with the MQTT password Orion shows as *****.
void write_endpoint(json::Writer& w, const Endpoint& ep, bool stored) {
  w.Key(ep.mqtt ? (ep.custom ? "mqttCustom" : "mqtt") : (ep.custom ? "httpCustom" : "http"));
  w.StartObject();
  w.Key("url");
  json::write_string(w, ep.url);
  if (ep.mqtt) {
    w.Key("topic");
    json::write_string(w, ep.topic);
    w.Key("qos");
    w.Int(ep.qos);
    w.Key("retain");
    w.Bool(ep.retain);
    if (!ep.user.empty() || !ep.passwd.empty()) {
      w.Key("user");
      json::write_string(w, ep.user);
      w.Key("passwd");
      json::write_string(w, stored ? ep.passwd : "*****");
    }
  }
  if (ep.timeout_ms > 0) {
    w.Key("timeout");
    w.Int64(ep.timeout_ms);
  }
  if (ep.custom) {
    if (ep.payload == Endpoint::Payload::Null) {
      w.Key("payload");
      w.Null();
    } else if (ep.payload == Endpoint::Payload::Text && !ep.text.empty()) {
      w.Key("payload");
      json::write_string(w, ep.text);
    } else if (ep.payload == Endpoint::Payload::Json || ep.payload == Endpoint::Payload::Ngsi) {
      w.Key(ep.payload == Endpoint::Payload::Json ? "json" : "ngsi");
      json::write_raw(w, ep.text);
    }
    if (!ep.method.empty()) {
      w.Key("method");
      json::write_string(w, ep.method);
    }
    for (auto [name, kv] : {std::pair{"qs", &ep.qs}, std::pair{"headers", &ep.headers}}) {
      if (kv->empty()) continue;
      w.Key(name);
      w.StartObject();
      for (const auto& [k, v] : *kv) {
        json::write_key(w, k);
        json::write_string(w, v);
      }
      w.EndObject();
    }
  }
  w.EndObject();
}

// libcurl 7.88's words for the failures Orion's (newer) libcurl words differently.
std::string failure_reason(const std::string& r) {
  if (r == "Couldn't connect to server") return "Could not connect to server";
  if (r == "Couldn't resolve host name") return "Could not resolve hostname";
  return r;
}

}  // namespace

Status parse_spec(const json::Value& body, Spec& spec, bool update) {
  if (!body.IsObject()) return std::unexpected(parse_error("Errors found in incoming JSON buffer"));
  if (body.ObjectEmpty()) return bad("empty payload");
  bool given = false;
  std::string description;
  if (auto st = opt_string(body, "description", "", description, given); !st) return st;
  if (given) {
    if (description.size() > kMaxDescription) return bad("max description length exceeded");
    if (forbidden(description)) return bad("forbidden characters in description");
    spec.description = description;
  }
  if (const auto* subject = json::member(body, "subject")) {
    if (auto st = parse_subject(*subject, spec); !st) return st;
  } else if (!update) {
    return bad("no subject for subscription specified");
  }
  if (const auto* notification = json::member(body, "notification")) {
    if (auto st = parse_notification(*notification, spec); !st) return st;
  } else if (!update) {
    return bad("no notification for subscription specified");
  }
  std::string expires;
  if (auto st = opt_string(body, "expires", "", expires, given); !st) return st;
  if (given) {
    spec.has_expires = !expires.empty();
    spec.expires = 0;
    if (spec.has_expires) {
      auto t = orion_date(expires);
      if (!t) return bad("expires has an invalid format");
      spec.expires = seconds(*t);
    }
  }
  std::string status;
  if (auto st = opt_string(body, "status", "", status, given); !st) return st;
  if (given) {
    if (status != "active" && status != "inactive" && status != "oneshot")
      return bad("status is not valid: it has to be either active, inactive or oneshot");
    spec.status = status;
  }
  return opt_int(body, "throttling", spec.throttling, given);
}

Status check_subscription_id(std::string_view id) {
  if (id.size() != 24) return bad("Invalid subscription ID: bad length - 24 chars expected");
  if (!std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
    return bad("Invalid subscription ID: invalid char in ID string");
  return {};
}

Result<std::shared_ptr<subscription::Subscription>> build_subscription(std::shared_ptr<const Spec> spec,
                                                                       std::string tenant, std::string id,
                                                                       const subscription::Flavor& flavor) {
  Selection sel;
  for (const auto& e : spec->entities) {
    auto item = item_of(e.id.empty() ? nullptr : &e.id, e.id_pattern.empty() ? nullptr : &e.id_pattern,
                        e.type.empty() ? nullptr : &e.type, e.type_pattern.empty() ? nullptr : &e.type_pattern);
    if (!item) return std::unexpected(item.error());
    if (!e.id.empty()) item->ids = {e.id};  // an id is one id here, commas and all
    if (!e.type.empty()) item->types = {expanded_name(e.type)};
    if (e.id_pattern == ".*") item->id_pattern = nullptr;
    sel.items.push_back(std::move(*item));
  }
  if (!spec->q.empty())
    if (auto st = translate_query(spec->q, false, sel.q); !st) return std::unexpected(st.error());
  if (!spec->mq.empty())
    if (auto st = translate_query(spec->mq, true, sel.q); !st) return std::unexpected(st.error());
  if (!spec->georel.empty()) {
    auto geo = geo_test(&spec->georel, &spec->geometry, &spec->coords);
    if (!geo) return std::unexpected(geo.error());
    sel.geo = std::move(*geo);
  }
  std::vector<std::string> paths;
  if (spec->service_path != "/#") paths.push_back(spec->service_path);
  auto filter = filter_of(
      sel, [paths = std::move(paths)](const model::Entity& e) { return in_service_paths(paths, e); }, std::nullopt);
  if (!filter) return std::unexpected(filter.error());
  auto s = std::make_shared<subscription::Subscription>();
  s->tenant = std::move(tenant);
  s->id = std::move(id);
  s->filter = std::move(*filter);
  for (const auto& a : spec->condition_attrs) s->watched.push_back(expanded_name(a));
  s->triggers = 0;
  for (const auto& a : spec->alteration_types)
    s->triggers |= a == "entityCreate"   ? subscription::kAltCreate
                   : a == "entityUpdate" ? subscription::kAltUpdate
                   : a == "entityChange" ? subscription::kAltChange
                                         : subscription::kAltDelete;
  if (!s->triggers) s->triggers = subscription::kAltCreate | subscription::kAltChange;
  s->notify_on_metadata_change = spec->notify_on_metadata_change;
  s->active = spec->status != "inactive";
  s->oneshot = spec->status == "oneshot";
  s->expires_at = spec->has_expires ? std::max<Millis>(spec->expires, 1) : 0;
  s->throttling_ms = spec->throttling * 1000;
  s->max_fails = static_cast<std::uint64_t>(spec->max_fails);
  s->flavor = &flavor;
  s->ext = std::move(spec);
  return s;
}

std::string_view shown_status(const subscription::Subscription& s, const Spec& spec, Millis now) {
  if (s.expired(now)) return "expired";
  {
    std::lock_guard lock(s.state->mu);
    if (s.state->disabled) return "inactive";
  }
  return spec.status;
}

std::string render_subscription(const subscription::Subscription& s, const Spec& spec, Millis now, bool stored) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    if (stored) {
      w.Key("@flavor");
      w.String("ngsiv2");
      w.Key("servicePath");
      json::write_string(w, spec.service_path);
    }
    w.Key("id");
    json::write_string(w, s.id);
    if (!spec.description.empty()) {
      w.Key("description");
      json::write_string(w, spec.description);
    }
    if (spec.has_expires) write_date(w, "expires", spec.expires);
    w.Key("status");
    json::write_string(w, stored ? std::string_view(spec.status) : shown_status(s, spec, now));
    w.Key("subject");
    w.StartObject();
    w.Key("entities");
    w.StartArray();
    for (const auto& e : spec.entities) {
      w.StartObject();
      for (auto [name, value] : {std::pair{"id", &e.id}, std::pair{"idPattern", &e.id_pattern},
                                 std::pair{"type", &e.type}, std::pair{"typePattern", &e.type_pattern}}) {
        if (value->empty()) continue;
        w.Key(name);
        json::write_string(w, *value);
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("condition");
    w.StartObject();
    w.Key("attrs");
    write_strings(w, spec.condition_attrs);
    if (!spec.q.empty() || !spec.mq.empty() || !spec.georel.empty()) {
      w.Key("expression");
      w.StartObject();
      for (auto [name, value] :
           {std::pair{"q", &spec.q}, std::pair{"mq", &spec.mq}, std::pair{"geometry", &spec.geometry},
            std::pair{"coords", &spec.coords}, std::pair{"georel", &spec.georel}}) {
        if (value->empty()) continue;
        w.Key(name);
        json::write_string(w, *value);
      }
      w.EndObject();
    }
    if (!spec.alteration_types.empty()) {
      w.Key("alterationTypes");
      write_strings(w, spec.alteration_types);
    }
    w.Key("notifyOnMetadataChange");
    w.Bool(spec.notify_on_metadata_change);
    w.EndObject();
    w.EndObject();

    subscription::DeliveryState none;
    const subscription::DeliveryState& st = stored ? none : *s.state;
    std::unique_lock lock(st.mu);
    w.Key("notification");
    w.StartObject();
    if (const auto sent = st.times_sent.load()) {
      w.Key("timesSent");
      w.Uint64(sent);
    }
    if (st.last_notification) write_date(w, "lastNotification", st.last_notification);
    w.Key(spec.except ? "exceptAttrs" : "attrs");
    write_strings(w, spec.attrs);
    w.Key("onlyChangedAttrs");
    w.Bool(spec.only_changed);
    w.Key("attrsFormat");
    json::write_string(w, spec.attrs_format);
    write_endpoint(w, spec.endpoint, stored);
    if (!spec.metadata.empty()) {
      w.Key("metadata");
      write_strings(w, spec.metadata);
    }
    if (st.last_failure) write_date(w, "lastFailure", st.last_failure);
    if (!st.last_failure_reason.empty()) {
      w.Key("lastFailureReason");
      json::write_string(w, failure_reason(st.last_failure_reason));
    }
    if (st.last_success) write_date(w, "lastSuccess", st.last_success);
    if (st.last_status != -1 && st.last_success && !spec.endpoint.mqtt) {  // an HTTP status
      w.Key("lastSuccessCode");
      w.Int64(st.last_status);
    }
    if (spec.max_fails > 0) {
      w.Key("maxFailsLimit");
      w.Int64(spec.max_fails);
    }
    if (st.consecutive_fails > 0) {
      w.Key("failsCounter");
      w.Uint64(st.consecutive_fails);
    }
    w.Key("covered");
    w.Bool(spec.covered);
    w.EndObject();
    lock.unlock();
    if (spec.throttling > 0) {
      w.Key("throttling");
      w.Int64(spec.throttling);
    }
    w.EndObject();
  });
}

}  // namespace dejima::ngsiv2
