#include "model/parse.h"

#include <algorithm>
#include <unordered_set>

#include "model/geojson.h"
#include "util/uri.h"

namespace dejima::model {
namespace {

constexpr int kMaxSubAttrDepth = 8;

Error bad(std::string title, std::string detail = {}) {
  return Error{ErrorKind::BadRequestData, std::move(title), std::move(detail)};
}

enum class AttrType {
  Property,
  Relationship,
  GeoProperty,
  LanguageProperty,
  VocabProperty,
  JsonProperty,
  ListProperty,
  ListRelationship
};

struct TypeInfo {
  std::string_view name;
  AttrType type;
  std::string_view value_key;
};

constexpr TypeInfo kTypes[] = {
    {"Property", AttrType::Property, "value"},
    {"Relationship", AttrType::Relationship, "object"},
    {"GeoProperty", AttrType::GeoProperty, "value"},
    {"LanguageProperty", AttrType::LanguageProperty, "languageMap"},
    {"VocabProperty", AttrType::VocabProperty, "vocab"},
    {"JsonProperty", AttrType::JsonProperty, "json"},
    {"ListProperty", AttrType::ListProperty, "valueList"},
    {"ListRelationship", AttrType::ListRelationship, "objectList"},
};

bool is_value_key(std::string_view k) {
  return k == "value" || k == "object" || k == "languageMap" || k == "vocab" || k == "json" || k == "valueList" ||
         k == "objectList";
}

// Members the system sets itself; ignored when a client sends them.
bool is_system_key(std::string_view k) {
  return k == "createdAt" || k == "modifiedAt" || k == "deletedAt" || k == "instanceId" || k == "@context" ||
         k == "previousValue" || k == "previousObject" || k == "previousLanguageMap" || k == "previousVocab" ||
         k == "previousJson" || k == "previousValueList" || k == "previousObjectList";
}

bool is_null_value(const json::Value& v) { return v.IsString() && json::view(v) == kNull; }

std::string what(std::string_view name) { return "attribute \"" + std::string(name) + "\""; }

// Concise: a bare value is a Property.
Status write_concise(json::Writer& w, std::string_view name, const json::Value& v, int depth, bool allow_null,
                     bool* is_null) {
  if (v.IsArray() && depth > 0)
    return std::unexpected(
        bad("Invalid attribute value", what(name) + ": a sub-attribute cannot be an array of instances"));
  if (allow_null && is_null_value(v)) *is_null = true;
  w.StartObject();
  w.Key("type");
  w.String("Property");
  w.Key("value");
  v.Accept(w);
  w.EndObject();
  return {};
}

// The type an attribute's "type" names: one of kTypes, or a bare GeoJSON geometry (a GeoProperty
// that is its own value, which sets `bare_geometry`).
Result<const TypeInfo*> named_type(std::string_view name, const json::Value& v, const json::Value& type,
                                   bool& bare_geometry) {
  if (!type.IsString()) return std::unexpected(bad("Invalid attribute", what(name) + ": \"type\" must be a string"));
  std::string_view tn = json::view(type);
  const TypeInfo* info = nullptr;
  for (const auto& ti : kTypes)
    if (ti.name == tn) info = &ti;
  if (!info && is_geometry_type(tn) && !v.HasMember("value")) {
    bare_geometry = true;
    info = &kTypes[2];
  }
  if (!info)
    return std::unexpected(bad("Invalid attribute type", what(name) + " has unknown type \"" + std::string(tn) + "\""));
  return info;
}

// The type of an attribute without "type", from its value key (a Property whose value is a
// GeoJSON geometry is a GeoProperty); nullptr when a partial update has no value key either.
Result<const TypeInfo*> inferred_type(std::string_view name, const json::Value& v, bool partial) {
  const TypeInfo* info = nullptr;
  for (const auto& ti : kTypes) {
    if (ti.type == AttrType::GeoProperty) continue;
    if (v.HasMember(ti.value_key.data())) {
      info = &ti;
      break;
    }
  }
  if (!info && !partial)
    return std::unexpected(
        bad("Invalid attribute",
            what(name) + " has no type and no value, object, languageMap, vocab, json, valueList or objectList"));
  if (info && info->type == AttrType::Property) {
    const auto& val = v["value"];
    if (val.IsObject() && val.HasMember("type") && val["type"].IsString() &&
        is_geometry_type(json::view(val["type"])) && validate_geometry(val).empty())
      info = &kTypes[2];
  }
  return info;
}

// The attribute's value: the member its type names, or the attribute itself when it is a bare
// geometry; nullptr when a partial update leaves it out (or has no type).
Result<const json::Value*> find_value(std::string_view name, const json::Value& v, const TypeInfo* info,
                                      bool bare_geometry, bool partial) {
  if (bare_geometry) return &v;
  if (!info) return nullptr;
  auto it = v.FindMember(info->value_key.data());
  if (it == v.MemberEnd()) {
    if (!partial)
      return std::unexpected(bad("Invalid attribute", what(name) + " (" + std::string(info->name) + ") needs \"" +
                                                          std::string(info->value_key) + "\""));
    return nullptr;
  }
  if (it->value.IsNull())
    return std::unexpected(
        bad("Invalid attribute value", what(name) + ": \"" + std::string(info->value_key) + "\" is null"));
  return &it->value;
}

// NGSI-LD Null: the value (object, ...) is "urn:ngsi-ld:null"; a languageMap {"@none": it}.
bool is_null_marker(const TypeInfo& info, const json::Value& value) {
  return is_null_value(value) ||
         (info.type == AttrType::LanguageProperty && value.IsObject() && value.MemberCount() == 1 &&
          value.HasMember("@none") && is_null_value(value["@none"]));
}

Status check_relationship(std::string_view name, const json::Value& value) {
  if (value.IsString()) {
    if (!is_absolute_uri(json::view(value)))
      return std::unexpected(bad("Invalid relationship object", what(name) + ": \"object\" must be a URI"));
  } else if (value.IsArray() && !value.Empty()) {
    for (const auto& o : value.GetArray())
      if (!o.IsString() || !is_absolute_uri(json::view(o)))
        return std::unexpected(bad("Invalid relationship object", what(name) + ": every object must be a URI"));
  } else {
    return std::unexpected(bad("Invalid relationship object", what(name) + ": \"object\" must be a URI"));
  }
  return {};
}

Status check_language_map(std::string_view name, const json::Value& value) {
  if (!value.IsObject() || value.ObjectEmpty())
    return std::unexpected(bad("Invalid languageMap", what(name) + ": \"languageMap\" must be a non-empty object"));
  for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
    bool ok = m->value.IsString();
    if (m->value.IsArray()) {
      ok = true;
      for (const auto& s : m->value.GetArray()) ok = ok && s.IsString();
    }
    if (!ok || m->name.GetStringLength() == 0)
      return std::unexpected(bad("Invalid languageMap", what(name) + ": each language tag maps to a string"));
  }
  return {};
}

Status check_vocab(std::string_view name, const json::Value& value) {
  bool ok = value.IsString() || (value.IsArray() && !value.Empty());
  if (value.IsArray())
    for (const auto& s : value.GetArray()) ok = ok && s.IsString();
  if (!ok)
    return std::unexpected(bad("Invalid vocab", what(name) + ": \"vocab\" must be a string or an array of strings"));
  return {};
}

Status check_object_list(std::string_view name, const json::Value& value) {
  if (!value.IsArray())
    return std::unexpected(bad("Invalid objectList", what(name) + ": \"objectList\" must be an array"));
  for (const auto& o : value.GetArray()) {
    const json::Value* uri = &o;
    if (o.IsObject() && o.HasMember("object")) uri = &o["object"];
    if (!uri->IsString() || !is_absolute_uri(json::view(*uri)))
      return std::unexpected(bad("Invalid objectList", what(name) + ": every object must be a URI"));
  }
  return {};
}

// Type-specific validation of a value (not an NGSI-LD Null).
Status check_value(std::string_view name, AttrType type, const json::Value& value) {
  switch (type) {
    case AttrType::Property: break;
    case AttrType::GeoProperty:
      if (auto e = validate_geometry(value); !e.empty())
        return std::unexpected(bad("Invalid GeoJSON geometry", what(name) + ": " + e));
      break;
    case AttrType::Relationship: return check_relationship(name, value);
    case AttrType::LanguageProperty: return check_language_map(name, value);
    case AttrType::VocabProperty: return check_vocab(name, value);
    case AttrType::JsonProperty:
      if (!value.IsObject() && !value.IsArray())
        return std::unexpected(bad("Invalid json", what(name) + ": \"json\" must be an object or an array"));
      break;
    case AttrType::ListProperty:
      if (!value.IsArray())
        return std::unexpected(bad("Invalid valueList", what(name) + ": \"valueList\" must be an array"));
      break;
    case AttrType::ListRelationship: return check_object_list(name, value);
  }
  return {};
}

// Opens the instance with its type and its checked value (a vocab's terms expanded); sets
// `is_null` when the value is an NGSI-LD Null.
Status write_value(json::Writer& w, std::string_view name, const TypeInfo& info, const json::Value& value,
                   const jsonld::Context& ctx, bool allow_null, bool* is_null) {
  const bool null_marker = allow_null && is_null_marker(info, value);
  if (null_marker)
    *is_null = true;
  else if (auto s = check_value(name, info.type, value); !s)
    return s;

  w.StartObject();
  w.Key("type");
  json::write_string(w, info.name);
  json::write_key(w, info.value_key);
  if (info.type == AttrType::VocabProperty && !null_marker) {
    auto expand = [&](const json::Value& s) { json::write_string(w, ctx.expand(json::view(s))); };
    if (value.IsString())
      expand(value);
    else {
      w.StartArray();
      for (const auto& s : value.GetArray()) expand(s);
      w.EndArray();
    }
  } else {
    value.Accept(w);
  }
  return {};
}

Status write_instance(json::Writer& w, std::string_view name, const json::Value& v, const jsonld::Context& ctx,
                      int depth, bool allow_null, bool partial, std::string* dataset_id, bool* is_null);

// Sub-attribute `key` of attribute `name`, under its expanded name (its datasetId is ignored).
Status write_sub_attribute(json::Writer& w, std::string_view name, std::string_view key, const json::Value& v,
                           const jsonld::Context& ctx, int depth, bool allow_null) {
  if (!valid_name(key)) return std::unexpected(bad("Invalid attribute name", "\"" + std::string(key) + "\""));
  if (depth >= kMaxSubAttrDepth)
    return std::unexpected(bad("Invalid attribute", what(name) + ": sub-attributes nested too deep"));
  if (v.IsArray() && !v.Empty() && v[0].IsObject())
    return std::unexpected(
        bad("Invalid attribute value", what(key) + ": a sub-attribute cannot be an array of instances"));
  json::write_key(w, ctx.expand(key));
  std::string ignored_ds;
  bool sub_null = false;
  return write_instance(w, key, v, ctx, depth + 1, allow_null, false, &ignored_ds, &sub_null);
}

// The members beside type and value: observedAt, unitCode, objectType, sub-attributes, and the
// datasetId of a top-level instance (kept in `dataset_id`, not written).
Status write_members(json::Writer& w, std::string_view name, const json::Value& v, const TypeInfo& info,
                     const jsonld::Context& ctx, int depth, bool allow_null, std::string* dataset_id) {
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    std::string_view key = json::view(m->name);
    if (key == "type" || key == info.value_key || is_system_key(key)) continue;
    if (is_value_key(key))
      return std::unexpected(bad("Invalid attribute", what(name) + " (" + std::string(info.name) +
                                                          ") must not have \"" + std::string(key) + "\""));
    if (key == "observedAt") {
      if (!m->value.IsString() || !parse_iso8601(json::view(m->value)))
        return std::unexpected(bad("Invalid observedAt", what(name) + ": observedAt must be an ISO 8601 DateTime"));
      w.Key("observedAt");
      m->value.Accept(w);
    } else if (key == "unitCode" || key == "valueType") {
      if (!m->value.IsString())
        return std::unexpected(
            bad("Invalid " + std::string(key), what(name) + ": " + std::string(key) + " must be a string"));
      json::write_key(w, key);
      m->value.Accept(w);
    } else if (key == "objectType") {
      if (info.type != AttrType::Relationship && info.type != AttrType::ListRelationship)
        return std::unexpected(bad("Invalid attribute", what(name) + ": objectType is only for relationships"));
      if (!m->value.IsString())
        return std::unexpected(bad("Invalid objectType", what(name) + ": objectType must be a string"));
      w.Key("objectType");
      json::write_string(w, ctx.expand(json::view(m->value)));
    } else if (key == "datasetId") {
      if (depth > 0) continue;  // datasetId only identifies top-level instances
      if (!m->value.IsString() || !is_absolute_uri(json::view(m->value)))
        return std::unexpected(bad("Invalid datasetId", what(name) + ": datasetId must be a URI"));
      *dataset_id = std::string(json::view(m->value));
    } else if (key == "lang") {
      continue;  // output-only member of a LanguageProperty rendered with ?lang
    } else if (auto s = write_sub_attribute(w, name, key, m->value, ctx, depth, allow_null); !s) {
      return s;
    }
  }
  return {};
}

// Writes one attribute instance in internal form. `name` is the short name (for messages).
Status write_instance(json::Writer& w, std::string_view name, const json::Value& v, const jsonld::Context& ctx,
                      int depth, bool allow_null, bool partial, std::string* dataset_id, bool* is_null) {
  if (v.IsNull()) return std::unexpected(bad("Invalid attribute value", what(name) + " is null"));
  if (!v.IsObject()) return write_concise(w, name, v, depth, allow_null, is_null);

  // Find the attribute type: explicit, a bare GeoJSON geometry, or inferred from the value key.
  bool bare_geometry = false;
  auto t = v.FindMember("type");
  auto type = t != v.MemberEnd() ? named_type(name, v, t->value, bare_geometry) : inferred_type(name, v, partial);
  if (!type) return std::unexpected(type.error());
  auto value = find_value(name, v, *type, bare_geometry, partial);
  if (!value) return std::unexpected(value.error());

  // A partial update may carry only some members: no type and/or no value.
  static constexpr TypeInfo kMetadataOnly{"", AttrType::Property, ""};
  const TypeInfo& info = *type ? **type : kMetadataOnly;
  if (*value) {
    if (auto s = write_value(w, name, info, **value, ctx, allow_null, is_null); !s) return s;
    if (bare_geometry) {
      w.EndObject();
      return {};
    }
  } else {
    w.StartObject();
    if (*type) {
      w.Key("type");
      json::write_string(w, info.name);
    }
  }
  if (auto s = write_members(w, name, v, info, ctx, depth, allow_null, dataset_id); !s) return s;
  w.EndObject();
  return {};
}

bool valid_scope(std::string_view s) {
  if (s.size() < 2 || s[0] != '/' || s.back() == '/') return false;
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == '#' || c == '+' || c == '?' || (c == '/' && s[i - 1] == '/')) return false;
  }
  return true;
}

}  // namespace

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 1024 || n.front() == '@') return false;  // "@..." are JSON-LD keywords
  for (unsigned char c : n) {
    if (c <= 0x20 || c == 0x7f) return false;
    switch (c) {
      case '<':
      case '>':
      case '"':
      case '\'':
      case '=':
      case ';':
      case '(':
      case ')': return false;
      default: break;
    }
  }
  return true;
}

Status parse_attribute(const std::string& expanded_name, const json::Value& v, const jsonld::Context& ctx,
                       bool allow_null, std::vector<AttrInstance>& out, std::vector<AttrInstance>* nulls, bool partial,
                       bool over_time) {
  const std::string short_name = ctx.compact(expanded_name);
  auto one = [&](const json::Value& inst) -> Status {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    AttrInstance a;
    a.name = expanded_name;
    bool is_null = false;
    std::string dataset_id;
    if (auto s = write_instance(w, short_name, inst, ctx, 0, allow_null, partial, &dataset_id, &is_null); !s) return s;
    a.dataset_id = dataset_id;
    for (const auto& other : out)
      if (!over_time && other.name == a.name && other.dataset_id == a.dataset_id)
        return fail(ErrorKind::BadRequestData, "Duplicate datasetId",
                    what(short_name) + " has two instances with datasetId \"" + dataset_id + "\"");
    if (is_null && nulls) {  // the main value is urn:ngsi-ld:null: delete this instance
      nulls->push_back(std::move(a));
      return {};
    }
    a.json.assign(sb.GetString(), sb.GetSize());
    out.push_back(std::move(a));
    return {};
  };
  if (v.IsArray() && !v.Empty() && v[0].IsObject()) {
    for (const auto& inst : v.GetArray()) {
      if (!inst.IsObject())
        return fail(ErrorKind::BadRequestData, "Invalid attribute value",
                    what(short_name) + ": every instance must be an object");
      if (auto s = one(inst); !s) return s;
    }
    return {};
  }
  return one(v);
}

Result<ParsedEntity> parse_entity(const json::Value& body, const jsonld::Context& ctx, ParseMode mode) {
  if (!body.IsObject()) return fail(ErrorKind::InvalidRequest, "Invalid entity", "the body must be a JSON object");
  ParsedEntity e;
  e.attrs.reserve(body.MemberCount());
  const bool allow_null = mode == ParseMode::MergePatch || mode == ParseMode::Fragment;
  const bool over_time = mode == ParseMode::Temporal || mode == ParseMode::TemporalFragment;
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    std::string_view key = json::view(m->name);
    const auto& v = m->value;
    if (key == "id" || key == "@id") {
      if (!v.IsString() || !is_absolute_uri(json::view(v)))
        return fail(ErrorKind::BadRequestData, "Invalid entity id", "\"id\" must be a URI");
      e.id = std::string(json::view(v));
    } else if (key == "type" || key == "@type") {
      auto add = [&](const json::Value& t) -> Status {
        if (!t.IsString() || !valid_name(json::view(t)))
          return fail(ErrorKind::BadRequestData, "Invalid entity type", "an entity type must be a non-empty name");
        const std::string_view name = json::view(t);
        if (name == "type" || name == "id" || name.starts_with('@'))  // keywords (or their core-context aliases)
          return fail(ErrorKind::BadRequestData, "Invalid entity type", "\"" + std::string(name) + "\" is a keyword");
        std::string full = ctx.expand(name);
        if (std::find(e.types.begin(), e.types.end(), full) == e.types.end()) e.types.emplace_back(full);
        return {};
      };
      if (v.IsArray()) {
        if (v.Empty()) return fail(ErrorKind::BadRequestData, "Invalid entity type", "\"type\" must not be empty");
        for (const auto& t : v.GetArray())
          if (auto s = add(t); !s) return std::unexpected(s.error());
      } else if (auto s = add(v); !s) {
        return std::unexpected(s.error());
      }
    } else if (key == "scope") {
      std::vector<std::string> scopes;
      auto add = [&](const json::Value& s) -> Status {
        if (!s.IsString() || !valid_scope(json::view(s)))
          return fail(ErrorKind::BadRequestData, "Invalid scope", "a scope looks like /Nagasaki/Sasebo");
        scopes.emplace_back(json::view(s));
        return {};
      };
      if (v.IsArray()) {
        for (const auto& s : v.GetArray())
          if (auto st = add(s); !st) return std::unexpected(st.error());
      } else if (allow_null && is_null_value(v)) {
        // merge-patch: remove the scope
      } else if (auto st = add(v); !st) {
        return std::unexpected(st.error());
      }
      e.scopes = std::move(scopes);
    } else if (is_system_key(key)) {
      continue;
    } else {
      if (!valid_name(key))
        return fail(ErrorKind::BadRequestData, "Invalid attribute name", "\"" + std::string(key) + "\"");
      if (auto s = parse_attribute(ctx.expand(key), v, ctx, allow_null, e.attrs, &e.nulls, false, over_time); !s)
        return std::unexpected(s.error());
    }
  }
  if ((mode == ParseMode::Create || mode == ParseMode::Temporal) && !e.id)
    return fail(ErrorKind::BadRequestData, "Invalid entity", "an entity needs an \"id\"");
  if ((mode == ParseMode::Create || mode == ParseMode::Replace || mode == ParseMode::Temporal) && e.types.empty())
    return fail(ErrorKind::BadRequestData, "Invalid entity", "an entity needs a \"type\"");
  return e;
}

std::string merge_instance(std::string_view old_json, std::string_view patch_json) {
  json::LocalDocument<8192> old_local, patch_local;
  auto& old_doc = old_local.doc;
  auto& patch = patch_local.doc;
  (void)json::parse_stored(old_doc, old_json);  // both were written by Dejima
  (void)json::parse_stored(patch, patch_json);
  auto& a = old_doc.GetAllocator();
  for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
    const auto& pv = m->value;
    bool remove = pv.IsObject() && pv.HasMember("value") && is_null_value(pv["value"]);
    if (auto it = old_doc.FindMember(m->name); it != old_doc.MemberEnd()) {
      if (remove)
        old_doc.RemoveMember(it);
      else
        it->value.CopyFrom(pv, a);
    } else if (!remove) {
      old_doc.AddMember(json::Value(m->name, a), json::Value(pv, a), a);
    }
  }
  // A new type replaces the value key of the old one (e.g. Property -> Relationship).
  if (patch.HasMember("type")) {
    std::string_view t = json::view(patch["type"]);
    for (const auto& ti : kTypes)
      if (ti.name != t && !patch.HasMember(ti.value_key.data()) && old_doc.HasMember(ti.value_key.data()) &&
          !(t == "GeoProperty" && ti.value_key == "value") && !(t == "Property" && ti.value_key == "value"))
        old_doc.RemoveMember(ti.value_key.data());
  }
  return json::to_string(old_doc);
}

}  // namespace dejima::model
