#include "ngsiv2/entity.h"

#include <algorithm>
#include <set>

#include "http/message.h"
#include "jsonld/context.h"
#include "ngsiv2/expiry.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {
namespace {

bool listed(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::vector<std::string> items(const std::string* s) {
  std::vector<std::string> out;
  if (s)
    for (auto i : http::list_items(*s)) out.emplace_back(i);
  return out;
}

constexpr std::string_view kOptions[] = {"keyValues",
                                         "values",
                                         "unique",
                                         "count",
                                         "append",
                                         "appendStrict",
                                         "upsert",
                                         "dateCreated",
                                         "dateModified",
                                         "noAttrDetail",
                                         "skipInitialNotification",
                                         "forcedUpdate",
                                         "overrideMetadata",
                                         "flowControl",
                                         "sysAttrs",
                                         "skipForwarding"};

void write_date(json::Writer& w, std::string_view name, Millis t, const View& v) {
  json::write_key(w, name);
  const std::string text = format_iso8601(t);
  if (v.format != Format::Normalized) return json::write_string(w, text);
  w.StartObject();
  w.Key("type");
  w.String("DateTime");
  w.Key("value");
  json::write_string(w, text);
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.EndObject();
}

void write_entity_uncached(json::Writer& w, const model::Entity& e, const View& v, bool attrs_only);

}  // namespace

Result<model::ParsedEntity> parse_entity(const json::Value& body, BodyKind kind, bool key_values,
                                         const std::string& path, AttrOps* ops) {
  if (!body.IsObject()) return std::unexpected(bad_request("Parse Error"));
  model::ParsedEntity p;
  if (path != "/") p.scopes = std::vector<std::string>{path};
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    std::string_view k = json::view(m->name);
    if (kind == BodyKind::Entity && k == "id") {
      if (!m->value.IsString()) return std::unexpected(bad_request("Invalid JSON type for entity id"));
      if (auto s = check_name("entity id", json::view(m->value)); !s) return std::unexpected(s.error());
      p.id = std::string(json::view(m->value));
    } else if (kind == BodyKind::Entity && k == "type") {
      if (!m->value.IsString()) return std::unexpected(bad_request("Invalid JSON type for entity type"));
      if (auto s = check_name("entity type", json::view(m->value)); !s) return std::unexpected(s.error());
      p.types = {expanded_name(json::view(m->value))};
    } else if (kind == BodyKind::Attrs && (k == "id" || k == "type")) {
      return std::unexpected(bad_request("entity " + std::string(k) + " specified in payload"));
    } else {
      auto a = parse_attribute(k, m->value, key_values);
      if (!a) return std::unexpected(a.error());
      if (std::any_of(p.attrs.begin(), p.attrs.end(), [&](const model::AttrInstance& b) { return b.name == a->name; }))
        return std::unexpected(bad_request("duplicated attribute /" + std::string(k) + "/"));
      p.attrs.push_back(std::move(*a));
      const json::Value* value = key_values ? &m->value : json::member(m->value, "value");
      if (ops && value && is_operator(*value))
        ops->push_back(
            {std::string(k), key_values ? R"({"value":)" + json::to_string(*value) + "}" : json::to_string(m->value)});
    }
  }
  const auto geo = std::count_if(p.attrs.begin(), p.attrs.end(), [](const model::AttrInstance& a) {
    return a.json.starts_with(R"({"type":"GeoProperty")");
  });
  if (geo > 1)
    return std::unexpected(Error{ErrorKind::PayloadTooLarge, "NoResourcesAvailable",
                                 "You cannot use more than one geo location attribute when creating an entity. Use "
                                 "ignoreType metadata if you want to add additional informative locations."});
  if (kind == BodyKind::Entity) {
    if (!p.id) return std::unexpected(bad_request("entity id length: 0, min length supported: 1"));
    if (p.types.empty()) p.types = {expanded_name(kDefaultType)};
  }
  return p;
}

bool View::shows(std::string_view name) const { return attrs.empty() || listed(attrs, "*") || listed(attrs, name); }

bool View::builtin(std::string_view name) const { return listed(attrs, name); }

Result<View> view_of(const std::string* attrs, const std::string* metadata, const std::string* options) {
  View v;
  v.attrs = items(attrs);
  if (metadata) {
    v.metadata.all = false;
    v.metadata.names = items(metadata);
  }
  int formats = 0;
  for (const auto& o : items(options)) {
    if (std::find(std::begin(kOptions), std::end(kOptions), o) == std::end(kOptions) ||
        ((o == "keyValues" || o == "values" || o == "unique") && ++formats > 1))
      return std::unexpected(bad_request("Invalid value for URI param /options/"));
    if (o == "keyValues") v.format = Format::KeyValues;
    if (o == "values") v.format = Format::Values;
    if (o == "unique") v.format = Format::Unique;
    if (o == "dateCreated" || o == "dateModified") {
      if (v.attrs.empty()) v.attrs.push_back("*");
      v.attrs.push_back(o);
    }
  }
  return v;
}

std::string entity_type(const model::Entity& e) { return e.types.empty() ? std::string() : v2_name(e.types.front()); }

std::vector<const model::AttrInstance*> shown_attributes(const model::Entity& e) {
  std::vector<const model::AttrInstance*> out;
  for (const auto& a : e.attrs) {
    if (!out.empty() && out.back()->name == a.name) {
      if (!out.back()->dataset_id.empty() && a.dataset_id.empty()) out.back() = &a;
      continue;
    }
    out.push_back(&a);
  }
  return out;
}

bool View::is_default() const {
  return attrs.empty() && metadata.all && metadata.names.empty() &&
         (format == Format::Normalized || format == Format::KeyValues);
}

void write_entity(json::Writer& w, const model::Entity& e, const View& v, bool attrs_only) {
  if (attrs_only || !v.is_default()) return write_entity_uncached(w, e, v, attrs_only);
  const auto which = v.format == Format::Normalized ? model::CachedBody::NgsiV2 : model::CachedBody::NgsiV2KeyValues;
  json::write_raw(w, e.cache.get(which, [&] {
    return json::written([&](json::Writer& cw) { write_entity_uncached(cw, e, v, false); });
  }));
}

namespace {

void write_entity_uncached(json::Writer& w, const model::Entity& e, const View& v, bool attrs_only) {
  auto attrs = shown_attributes(e);
  std::vector<std::pair<std::string, const model::AttrInstance*>> shown;
  if (!v.attrs.empty() && !listed(v.attrs, "*")) {
    for (const auto& n : v.attrs)
      for (const auto* a : attrs)
        if (v2_name(a->name) == n) shown.emplace_back(n, a);
  } else {  // Orion shows attributes in name order; dateExpires only when named, as a built-in
    for (const auto* a : attrs)
      if (std::string n = v2_name(a->name); n != kDateExpires || listed(v.attrs, n))
        shown.emplace_back(std::move(n), a);
    std::sort(shown.begin(), shown.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  if (v.format == Format::Values || v.format == Format::Unique) {
    w.StartArray();
    std::set<std::string> seen;  // unique: values already written
    for (const auto& [n, a] : shown) {
      std::string value = json::written([&](json::Writer& vw) { write_value(vw, *a); });
      if (v.format == Format::Unique && !seen.insert(value).second) continue;
      json::write_raw(w, value);
    }
    w.EndArray();
    return;
  }
  w.StartObject();
  if (!attrs_only) {
    w.Key("id");
    json::write_string(w, e.id);
    w.Key("type");
    json::write_string(w, entity_type(e));
  }
  for (const auto& [n, a] : shown) {
    json::write_key(w, n);
    if (v.format == Format::KeyValues)
      write_value(w, *a);
    else
      write_attribute(w, *a, v.metadata);
  }
  if (v.builtin("dateCreated")) write_date(w, "dateCreated", e.created_at, v);
  if (v.builtin("dateModified")) write_date(w, "dateModified", e.modified_at, v);
  w.EndObject();
}

}  // namespace

}  // namespace dejima::ngsiv2
