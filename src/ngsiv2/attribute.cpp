#include "ngsiv2/attribute.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "jsonld/context.h"
#include "model/geojson.h"
#include "ngsiv2/request_context.h"
#include "util/time.h"
#include "util/uri.h"

namespace dejima::ngsiv2 {

bool forbidden_in_text(char ch) {
  return ch == '<' || ch == '>' || ch == '"' || ch == '\'' || ch == '=' || ch == ';' || ch == '(' || ch == ')';
}

// Orion's DateTime: ISO 8601 with or without a zone (UTC when none), the time shortened to hh or
// hh:mm or written without colons (hhmmss), or a date alone.
std::optional<Millis> orion_date(std::string_view s) {
  if (s.size() == 10) return parse_iso8601(std::string(s) + "T00:00:00Z");
  const size_t t = s.find('T');
  if (t != 10) return parse_iso8601(s);
  std::string_view time = s.substr(t + 1), zone;
  if (time.ends_with('Z')) {
    zone = "Z";
    time.remove_suffix(1);
  } else if (size_t z = time.find_last_of("+-"); z != std::string_view::npos) {
    zone = time.substr(z);
    time = time.substr(0, z);
  }
  std::string frac;
  if (size_t dot = time.find('.'); dot != std::string_view::npos) {
    frac = time.substr(dot);
    time = time.substr(0, dot);
  }
  std::string digits;
  for (char ch : time)
    if (ch != ':') digits += ch;
  if (digits.size() != 2 && digits.size() != 4 && digits.size() != 6) return std::nullopt;
  digits.resize(6, '0');
  std::string z = zone.empty() ? "Z" : std::string(zone);
  if (z != "Z") {
    std::string zd;
    for (char ch : z.substr(1))
      if (ch != ':' && ch != '.') zd += ch;  // +01:00, +0100, +01.00
    if (zd.size() != 2 && zd.size() != 4) return std::nullopt;
    zd.resize(4, '0');
    z = z.substr(0, 1) + zd.substr(0, 2) + ":" + zd.substr(2);
  }
  return parse_iso8601(std::string(s.substr(0, 11)) + digits.substr(0, 2) + ":" + digits.substr(2, 2) + ":" +
                       digits.substr(4, 2) + frac + z);
}

namespace {

constexpr size_t kMaxNameLength = 256;

// Orion refuses these characters in string values (anywhere inside a structured value too).
bool clean_text(const json::Value& v) {
  if (v.IsString()) {
    std::string_view s = json::view(v);
    return std::none_of(s.begin(), s.end(), forbidden_in_text);
  }
  if (v.IsArray()) return std::all_of(v.Begin(), v.End(), [](const json::Value& e) { return clean_text(e); });
  if (v.IsObject())
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m)
      if (!clean_text(m->value)) return false;
  return true;
}

// The type NGSIv2 gives a value sent without one.
std::string_view implied_type(const json::Value* v) {
  if (!v || v->IsNull()) return "None";
  if (v->IsNumber()) return "Number";
  if (v->IsString()) return "Text";
  if (v->IsBool()) return "Boolean";
  return "StructuredValue";
}

bool is_date_value(const json::Value& v) {
  if (!v.IsObject() || v.MemberCount() != 2) return false;
  const auto* t = json::member(v, "@type");
  const auto* d = json::member(v, "@value");
  return t && d && t->IsString() && json::view(*t) == "DateTime" && d->IsString();
}

void write_number(std::string& out, double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

// "lat, lon" → [lon, lat]
bool parse_point(std::string_view s, double& lat, double& lon) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos) return false;
  auto num = [](std::string_view t, double& out) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.empty()) return false;
    if (t.front() == '+') t.remove_prefix(1);
    auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    return r.ec == std::errc() && r.ptr == t.data() + t.size() && std::isfinite(out);
  };
  return num(s.substr(0, comma), lat) && num(s.substr(comma + 1), lon) && lat >= -90 && lat <= 90 && lon >= -180 &&
         lon <= 180;
}

Error geo_error(std::string_view text) { return bad_request("error parsing location attribute: " + std::string(text)); }

// The GeoJSON geometry of a geo:point, geo:line, geo:box or geo:polygon value.
Result<std::string> simple_geometry(std::string_view type, const json::Value& v) {
  std::vector<std::pair<double, double>> pts;  // (lon, lat)
  auto add = [&](const json::Value& p) {
    double lat, lon;
    if (!p.IsString() || !parse_point(json::view(p), lat, lon)) return false;
    pts.emplace_back(lon, lat);
    return true;
  };
  auto format_error = [](const json::Value& p) {
    return geo_error("geo coordinates format error [see Orion user manual]: " +
                     (p.IsString() ? std::string(json::view(p)) : json::to_string(p)));
  };
  if (type == "geo:point") {
    if (!add(v)) return std::unexpected(format_error(v));
  } else {
    if (!v.IsArray())
      return std::unexpected(geo_error("geo:line, geo:box and geo:polygon needs array of strings as value"));
    for (const auto& p : v.GetArray()) {
      if (!p.IsString())
        return std::unexpected(geo_error("geo:line, geo:box and geo:polygon needs array of strings as value"));
      if (!add(p)) return std::unexpected(format_error(p));
    }
  }
  const size_t n = pts.size();
  if (type == "geo:line" && n < 2) return std::unexpected(geo_error("geo:line uses at least 2 coordinates"));
  if (type == "geo:box" && n != 2) return std::unexpected(geo_error("geo:box uses exactly 2 coordinates"));
  if (type == "geo:box" && (pts[0].first == pts[1].first || pts[0].second == pts[1].second))
    return std::unexpected(geo_error("geo:box coordinates are not defining an actual box"));
  if (type == "geo:polygon" && n < 4) return std::unexpected(geo_error("geo:polygon uses at least 4 coordinates"));
  if (type == "geo:polygon" && pts.front() != pts.back())
    return std::unexpected(geo_error("geo:polygon first and last coordinates must match"));
  if (type == "geo:box") {  // the ring from the first corner; its third point is the other corner
    auto [x1, y1] = pts[0];
    auto [x2, y2] = pts[1];
    pts = {{x1, y1}, {x2, y1}, {x2, y2}, {x1, y2}, {x1, y1}};
  }
  std::string out;
  auto coords = [&](const std::pair<double, double>& p) {
    out += '[';
    write_number(out, p.first);
    out += ',';
    write_number(out, p.second);
    out += ']';
  };
  if (type == "geo:point") {
    out = R"({"type":"Point","coordinates":)";
    coords(pts[0]);
  } else {
    out = type == "geo:line" ? R"({"type":"LineString","coordinates":[)" : R"({"type":"Polygon","coordinates":[[)";
    for (size_t i = 0; i < n + (type == "geo:box" ? 3 : 0); ++i) {
      if (i) out += ',';
      coords(pts[i]);
    }
    out += type == "geo:line" ? "]" : "]]";
  }
  out += '}';
  return out;
}

// Opens the instance and writes its type, value and valueType for a v2 (type, value).
Status write_typed(json::Writer& w, std::string_view type, const json::Value* value, bool metadata) {
  static const json::Value null_value;
  const json::Value& v = value ? *value : null_value;
  if (!clean_text(v))
    return std::unexpected(
        bad_request(metadata ? "Invalid characters in metadata value" : "Invalid characters in attribute value"));
  const std::string_view implied = implied_type(value);
  if (type.empty()) type = implied;
  w.StartObject();
  w.Key("type");
  if (v.IsNull()) {  // any type may be null (a DateTime or a location not known yet)
    w.String("Property");
    w.Key("value");
    w.Null();
    if (type != implied) {
      w.Key("valueType");
      json::write_string(w, type);
    }
    return {};
  }
  const Error bad_date = bad_request(metadata ? "date has invalid format in metadata value"
                                              : "date has invalid format in attribute value");
  if (type == "DateTime" && v.IsObject()) {  // only the operators {"$min": date} and {"$max": date}
    const auto op = v.MemberBegin();
    if (v.MemberCount() != 1 || (json::view(op->name) != "$min" && json::view(op->name) != "$max") ||
        !op->value.IsString() || !orion_date(json::view(op->value)))
      return std::unexpected(bad_date);
  }
  if (type == "DateTime" && v.IsString()) {
    auto t = orion_date(json::view(v));
    if (!t) return std::unexpected(bad_date);
    w.String("Property");
    w.Key("value");
    w.StartObject();
    w.Key("@type");
    w.String("DateTime");
    w.Key("@value");
    json::write_string(w, format_iso8601(*t));
    w.EndObject();
    return {};
  }
  if (type == "geo:json" && !metadata) {
    if (!v.IsObject()) return std::unexpected(bad_request("geo:json needs an object or null as value"));
    if (!model::validate_geometry(v).empty()) return std::unexpected(bad_request("Wrong GeoJson"));
    w.String("GeoProperty");
    w.Key("value");
    v.Accept(w);
    return {};
  }
  if ((type == "geo:point" || type == "geo:line" || type == "geo:box" || type == "geo:polygon") && !metadata) {
    auto geometry = simple_geometry(type, v);
    if (!geometry) return std::unexpected(geometry.error());
    w.String("GeoProperty");
    w.Key("value");
    json::write_raw(w, *geometry);
    w.Key("valueType");
    json::write_string(w, type);
    return {};
  }
  if (type == "Relationship" && v.IsString() && is_absolute_uri(json::view(v))) {
    w.String("Relationship");
    w.Key("object");
    v.Accept(w);
    return {};
  }
  w.String("Property");
  w.Key("value");
  v.Accept(w);
  if (type != implied) {
    w.Key("valueType");
    json::write_string(w, type);
  }
  return {};
}

// A metadata member {"type"?, "value"?} under `name`: observedAt and unitCode are NGSI-LD members,
// any other a sub-property.
Status write_metadata(json::Writer& w, std::string_view name, const json::Value& md) {
  if (auto s = check_name("metadata name", name); !s) return s;
  if (!md.IsObject()) return std::unexpected(bad_request("metadata must be a JSON object"));
  const json::Value* type = json::member(md, "type");
  const json::Value* value = json::member(md, "value");
  if (type && !type->IsString()) return std::unexpected(bad_request("invalid JSON type for metadata type"));
  std::string_view t = type ? json::view(*type) : std::string_view();
  if (!t.empty())
    if (auto s = check_name("metadata type", t); !s) return s;
  for (auto m = md.MemberBegin(); m != md.MemberEnd(); ++m)
    if (json::view(m->name) != "type" && json::view(m->name) != "value")
      return std::unexpected(bad_request("unrecognized property for metadata"));
  if (name == "observedAt" && value && value->IsString() && (t.empty() || t == "DateTime")) {
    auto at = orion_date(json::view(*value));
    if (!at) return std::unexpected(bad_request("date has invalid format in metadata value"));
    w.Key("observedAt");
    json::write_string(w, format_iso8601(*at));
    return {};
  }
  if (name == "unitCode" && value && value->IsString() && (t.empty() || t == "Text")) {
    w.Key("unitCode");
    value->Accept(w);
    return {};
  }
  json::write_key(w, expanded_name(name));
  if (auto s = write_typed(w, t, value, true); !s) return s;
  w.EndObject();
  return {};
}

// Members of an instance that are not metadata.
bool is_metadata_key(std::string_view k) {
  static constexpr std::string_view kNot[] = {
      "type",      "value",      "object",    "languageMap", "vocab",      "json",      "valueList",  "objectList",
      "valueType", "objectType", "datasetId", "lang",        "instanceId", "createdAt", "modifiedAt", "deletedAt"};
  return std::find(std::begin(kNot), std::end(kNot), k) == std::end(kNot) && !k.starts_with("previous");
}

struct InstanceDoc : json::LocalDocument<4096> {
  explicit InstanceDoc(std::string_view text) { (void)json::parse_stored(doc, text); }  // Dejima wrote it
};

std::string v2_type(const json::Value& inst) {
  if (const auto* vt = json::member(inst, "valueType"); vt && vt->IsString()) return std::string(json::view(*vt));
  const auto* t = json::member(inst, "type");
  std::string_view type = t && t->IsString() ? json::view(*t) : "Property";
  if (type == "Relationship") return "Relationship";
  if (type == "GeoProperty") return "geo:json";
  if (type != "Property") return std::string(type);
  const auto* v = json::member(inst, "value");
  if (v && is_date_value(*v)) return "DateTime";
  return std::string(implied_type(v));
}

std::string point_text(const json::Value& c) {
  std::string out;
  if (!c.IsArray() || c.Size() < 2 || !c[0].IsNumber() || !c[1].IsNumber()) return out;
  write_number(out, c[1].GetDouble());
  out += ", ";
  write_number(out, c[0].GetDouble());
  return out;
}

// A number as Orion prints it: whole numbers without decimals, others with at most 9 decimals.
void write_orion_number(json::Writer& w, const json::Value& v) {
  if (v.IsInt64() || v.IsUint64()) return (void)v.Accept(w);
  const double d = v.GetDouble();
  if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return (void)w.Int64(static_cast<long long>(d));
  char buf[64];  // below 9.2e18, %.9f has at most 19 + 10 digits
  const auto r = std::fabs(d) >= 9.2e18 ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 17)
                                        : std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 9);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  if (text.find('.') != std::string_view::npos && text.find('e') == std::string_view::npos) {
    while (text.back() == '0') text.remove_suffix(1);
    if (text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  w.raw(text, rapidjson::kNumberType);
}

// A JSON value with Orion's numbers.
void write_orion(json::Writer& w, const json::Value& v) {
  if (v.IsNumber()) return write_orion_number(w, v);
  if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray()) write_orion(w, e);
    w.EndArray();
    return;
  }
  if (v.IsObject()) {
    w.StartObject();
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      w.Key(m->name.GetString(), m->name.GetStringLength());
      write_orion(w, m->value);
    }
    w.EndObject();
    return;
  }
  v.Accept(w);
}

void write_v2_value(json::Writer& w, const json::Value& inst) {
  const auto* t = json::member(inst, "type");
  std::string_view type = t && t->IsString() ? json::view(*t) : "Property";
  const json::Value* v = json::member(inst, model::value_key(type));
  if (!v) {
    w.Null();
    return;
  }
  if (type == "Property" && is_date_value(*v)) {
    (*v)["@value"].Accept(w);
    return;
  }
  const auto* vt = json::member(inst, "valueType");
  if (type == "GeoProperty" && vt && vt->IsString() && v->IsObject() && v->HasMember("coordinates")) {
    std::string_view geo = json::view(*vt);
    const json::Value& c = (*v)["coordinates"];
    if (geo == "geo:point") return json::write_string(w, point_text(c));
    const json::Value* pts = geo == "geo:line" ? &c : (c.IsArray() && c.Size() > 0 ? &c[0] : nullptr);
    if (pts && pts->IsArray()) {
      w.StartArray();
      for (rapidjson::SizeType i = 0; i < pts->Size(); ++i)
        if (geo != "geo:box" || i == 0 || i == 2) json::write_string(w, point_text((*pts)[i]));
      w.EndArray();
      return;
    }
  }
  write_orion(w, *v);
}

void write_v2_metadata(json::Writer& w, const json::Value& inst, const model::AttrInstance* top,
                       const MetadataFilter& m) {
  w.StartObject();
  for (auto it = inst.MemberBegin(); it != inst.MemberEnd(); ++it) {
    std::string_view k = json::view(it->name);
    if (!is_metadata_key(k)) continue;
    if (k == "observedAt" || k == "unitCode") {
      if (!m.shows(k)) continue;
      json::write_key(w, k);
      w.StartObject();
      w.Key("type");
      w.String(k == "observedAt" ? "DateTime" : "Text");
      w.Key("value");
      it->value.Accept(w);
      w.EndObject();
      continue;
    }
    if (!it->value.IsObject()) continue;
    std::string name = v2_name(k);
    if (!m.shows(name)) continue;
    json::write_key(w, name);
    w.StartObject();
    w.Key("type");
    json::write_string(w, v2_type(it->value));
    w.Key("value");
    write_v2_value(w, it->value);
    w.EndObject();
  }
  if (top) {
    auto date = [&](std::string_view name, Millis t) {
      if (!m.builtin(name)) return;
      json::write_key(w, name);
      w.StartObject();
      w.Key("type");
      w.String("DateTime");
      w.Key("value");
      json::write_string(w, format_iso8601(t));
      w.EndObject();
    };
    date("dateCreated", top->created_at);
    date("dateModified", top->modified_at);
  }
  w.EndObject();
}

}  // namespace

Status check_name(std::string_view what, std::string_view s) {
  if (s.empty()) return std::unexpected(bad_request(std::string(what) + " length: 0, min length supported: 1"));
  if (s.size() > kMaxNameLength)
    return std::unexpected(bad_request(std::string(what) + " length: " + std::to_string(s.size()) +
                                       ", max length supported: " + std::to_string(kMaxNameLength)));
  if (has_forbidden_id_chars(s)) return std::unexpected(bad_request("Invalid characters in " + std::string(what)));
  return {};
}

bool has_forbidden_id_chars(std::string_view s, bool in_path) {
  const bool iri = s.find(':') != std::string_view::npos;
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const auto ch = static_cast<unsigned char>(c);
    if (ch >= 0x80) return !in_path;
    return ch <= ' ' || ch == 0x7f || forbidden_in_text(c) || (!iri && (c == '&' || c == '?' || c == '/' || c == '#'));
  });
}

std::string v2_name(std::string_view expanded) {
  // Names repeat across every entity: each thread remembers the ones it compacted.
  thread_local std::unordered_map<std::string, std::string> names;
  std::string key(expanded);
  if (auto it = names.find(key); it != names.end()) return it->second;
  if (names.size() > 100000) names.clear();
  std::string v2 = jsonld::Context::core()->compact(expanded);
  names.emplace(std::move(key), v2);
  return v2;
}
std::string expanded_name(std::string_view v2) { return jsonld::Context::core()->expand(v2); }

Result<model::AttrInstance> parse_attribute(std::string_view name, const json::Value& v, bool key_values) {
  if (auto s = check_name("attribute name", name); !s) return std::unexpected(s.error());
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  if (key_values) {
    if (name == "dateExpires")  // only a DateTime can say when the entity expires
      return std::unexpected(bad_request("error processing date expiration attribute, see log traces"));
    if (auto s = write_typed(w, {}, &v, false); !s) return std::unexpected(s.error());
  } else {
    if (!v.IsObject())
      return std::unexpected(bad_request("attribute must be a JSON object, unless keyValues option is used"));
    const json::Value* type = json::member(v, "type");
    const json::Value* value = json::member(v, "value");
    const json::Value* metadata = json::member(v, "metadata");
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      std::string_view k = json::view(m->name);
      if (k != "type" && k != "value" && k != "metadata")
        return std::unexpected(bad_request("unrecognized property for context attribute"));
    }
    if (type && !type->IsString()) return std::unexpected(bad_request("invalid JSON type for attribute type"));
    std::string_view t = type ? json::view(*type) : std::string_view();
    if (type)
      if (auto s = check_name("attribute type", t); !s) return std::unexpected(s.error());
    if (metadata && !metadata->IsObject()) return std::unexpected(bad_request("metadata must be a JSON object"));
    if (name == "dateExpires" && t != "DateTime")  // a transient entity's expiry (ngsiv2/expiry.h)
      return std::unexpected(bad_request("error processing date expiration attribute, see log traces"));
    if (auto s = write_typed(w, t, value, false); !s) return std::unexpected(s.error());
    if (metadata)
      for (auto m = metadata->MemberBegin(); m != metadata->MemberEnd(); ++m)
        if (auto s = write_metadata(w, json::view(m->name), m->value); !s) return std::unexpected(s.error());
  }
  w.EndObject();
  model::AttrInstance a;
  a.name = expanded_name(name);
  a.json.assign(sb.GetString(), sb.GetSize());
  return a;
}

Result<model::AttrInstance> parse_value(const model::AttrInstance& current, const json::Value& value) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  if (auto s = write_typed(w, type_of(current), &value, false); !s) return std::unexpected(s.error());
  w.EndObject();
  model::AttrInstance a;
  a.name = current.name;
  a.dataset_id = current.dataset_id;
  a.json.assign(sb.GetString(), sb.GetSize());
  keep_metadata(a, current);
  return a;
}

void keep_metadata(model::AttrInstance& next, const model::AttrInstance& old) {
  InstanceDoc o(old.json);
  InstanceDoc n(next.json);
  bool added = false;
  for (auto m = o.doc.MemberBegin(); m != o.doc.MemberEnd(); ++m) {
    std::string_view k = json::view(m->name);
    if (!is_metadata_key(k) || n.doc.HasMember(m->name)) continue;
    n.doc.AddMember(json::Value(m->name, n.doc.GetAllocator()), json::Value(m->value, n.doc.GetAllocator()),
                    n.doc.GetAllocator());
    added = true;
  }
  if (added) next.json = json::to_string(n.doc);
}

void keep_metadata(const model::Entity& e, model::ParsedEntity& p) {
  for (auto& a : p.attrs)
    if (const auto* old = e.find(a.name, a.dataset_id)) keep_metadata(a, *old);
}

bool MetadataFilter::shows(std::string_view name) const {
  return all || std::find(names.begin(), names.end(), name) != names.end() ||
         std::find(names.begin(), names.end(), "*") != names.end();
}

bool MetadataFilter::builtin(std::string_view name) const {
  return !all && std::find(names.begin(), names.end(), name) != names.end();
}

std::string type_of(const model::AttrInstance& a) {
  InstanceDoc d(a.json);
  return v2_type(d.doc);
}

void write_attribute(json::Writer& w, const model::AttrInstance& a, const MetadataFilter& m) {
  InstanceDoc d(a.json);
  w.StartObject();
  w.Key("type");
  json::write_string(w, v2_type(d.doc));
  w.Key("value");
  write_v2_value(w, d.doc);
  w.Key("metadata");
  write_v2_metadata(w, d.doc, &a, m);
  w.EndObject();
}

void write_value(json::Writer& w, const model::AttrInstance& a) {
  InstanceDoc d(a.json);
  write_v2_value(w, d.doc);
}

}  // namespace dejima::ngsiv2
