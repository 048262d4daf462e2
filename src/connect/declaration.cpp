#include "connect/declaration.h"

#include <set>

#include "fetch/egress.h"
#include "model/parse.h"
#include "store/store.h"
#include "util/uri.h"

namespace dejima::connect {
namespace {

std::unexpected<Error> bad(const std::string& detail) {
  return fail(ErrorKind::BadRequestData, "Invalid connector", detail);
}

bool valid_connector_name(std::string_view n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (unsigned char c : n)
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

Result<Declaration> parse_declaration(const json::Value& doc) {
  if (!doc.IsObject()) return bad("the declaration must be a JSON object");
  static const std::set<std::string_view> kMembers = {"name",          "source",   "format",   "type",    "tenant",
                                                      "encoding",      "idPrefix", "key",      "columns", "params",
                                                      "deleteMissing", "history",  "schedule", "origin"};
  Declaration d;
  std::string schedule;
  for (const auto& m : doc.GetObject()) {
    const std::string_view k = json::view(m.name);
    if (!kMembers.contains(k)) return bad("unknown member '" + std::string(k) + "'");
    const json::Value& v = m.value;
    if (k == "key") {
      if (!v.IsArray()) return bad("key must be an array of column names");
      for (const auto& c : v.GetArray()) {
        if (!c.IsString() || c.GetStringLength() == 0) return bad("key must be an array of column names");
        d.options.key.emplace_back(json::view(c));
      }
    } else if (k == "columns") {
      if (!v.IsObject()) return bad("columns must map source columns to attribute names");
      for (const auto& c : v.GetObject()) {
        if (!c.value.IsString())
          return bad("columns: the attribute for '" + std::string(json::view(c.name)) + "' must be a string");
        const std::string attr(json::view(c.value));
        if (!attr.empty() && !model::valid_name(attr))
          return bad("columns: '" + attr + "' is not a valid attribute name");
        d.options.columns[std::string(json::view(c.name))] = attr;
      }
    } else if (k == "params") {
      if (!v.IsObject()) return bad("params must be an object of strings");
      for (const auto& c : v.GetObject()) {
        if (!c.value.IsString()) return bad("params: '" + std::string(json::view(c.name)) + "' must be a string");
        d.options.params[std::string(json::view(c.name))] = std::string(json::view(c.value));
      }
    } else if (k == "deleteMissing") {
      if (!v.IsBool()) return bad("deleteMissing must be true or false");
      d.delete_missing = v.GetBool();
    } else if (k == "history") {
      if (!v.IsBool()) return bad("history must be true or false");
      d.history = v.GetBool();
    } else {
      if (!v.IsString()) return bad(std::string(k) + " must be a string");
      const std::string s(json::view(v));
      if (k == "name")
        d.name = s;
      else if (k == "source")
        d.source = s;
      else if (k == "format")
        d.format = s;
      else if (k == "type")
        d.options.type = s;
      else if (k == "tenant")
        d.tenant = s;
      else if (k == "encoding")
        d.options.encoding = s;
      else if (k == "idPrefix")
        d.options.id_prefix = s;
      else if (k == "schedule")
        schedule = s;
      else
        d.origin = s;
    }
  }
  if (!valid_connector_name(d.name))
    return bad("name must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
  if (d.source.empty()) return bad("source is required (a file path, file://, http:// or https:// URL)");
  if (d.source.find("://") != std::string::npos && !d.source.starts_with("file://") &&
      !d.source.starts_with("http://") && !d.source.starts_with("https://"))
    return bad("source '" + d.source + "': only file://, http:// and https:// URLs");
  if (auto st = fetch::check_url(d.source); !st)
    return fail(ErrorKind::BadRequestData, st.error().title, "source: " + st.error().detail);
  if (!find_format(d.format)) return bad("format '" + d.format + "' is not one of " + format_names());
  if (!model::valid_name(d.options.type)) return bad("type is required and must be a valid entity type name");
  if (auto why = find_format(d.format)->invalid(d.options); !why.empty()) return bad(why);
  if (!d.tenant.empty() && !store::valid_tenant_name(d.tenant))
    return bad("tenant '" + d.tenant + "' is not a valid tenant name");
  if (d.options.encoding != "auto" && d.options.encoding != "utf-8" && d.options.encoding != "cp932" &&
      d.options.encoding != "shift_jis" && d.options.encoding != "sjis")
    return bad("encoding must be auto, utf-8 or cp932");
  if (!d.options.id_prefix.empty() && !is_absolute_uri(d.options.id_prefix + "x"))
    return bad("idPrefix '" + d.options.id_prefix + "' does not make URIs (e.g. urn:ngsi-ld:Shelter:nagasaki:)");
  if (!schedule.empty()) {
    auto parsed = Schedule::parse(schedule);
    if (!parsed) return bad(parsed.error());
    d.schedule = std::move(*parsed);
  }
  if (d.origin != "api" && d.origin != "config" && d.origin != "demo") return bad("origin is api, config or demo");
  return d;
}

std::string id_prefix(const Declaration& d) {
  if (!d.options.id_prefix.empty()) return d.options.id_prefix;
  const Format* f = find_format(d.format);
  return f ? f->default_id_prefix(d.options.type) : "urn:ngsi-ld:" + d.options.type + ":";
}

std::vector<Format::Scope> scopes(const Declaration& d) {
  Options o = d.options;
  o.id_prefix = id_prefix(d);
  const Format* f = find_format(d.format);
  return f ? f->scopes(o) : std::vector<Format::Scope>{{o.type, o.id_prefix}};
}

std::string declaration_json(const Declaration& d) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  auto member = [&](const char* k, std::string_view v) {
    w.Key(k);
    json::write_string(w, v);
  };
  member("name", d.name);
  member("source", d.source);
  member("format", d.format);
  member("type", d.options.type);
  if (!d.tenant.empty()) member("tenant", d.tenant);
  member("encoding", d.options.encoding);
  if (!d.options.id_prefix.empty()) member("idPrefix", d.options.id_prefix);
  if (!d.options.key.empty()) {
    w.Key("key");
    w.StartArray();
    for (const auto& k : d.options.key) json::write_string(w, k);
    w.EndArray();
  }
  if (!d.options.columns.empty()) {
    w.Key("columns");
    w.StartObject();
    for (const auto& [src, attr] : d.options.columns) {
      json::write_key(w, src);
      json::write_string(w, attr);
    }
    w.EndObject();
  }
  if (!d.options.params.empty()) {
    w.Key("params");
    w.StartObject();
    for (const auto& [k, v] : d.options.params) {
      json::write_key(w, k);
      json::write_string(w, v);
    }
    w.EndObject();
  }
  w.Key("deleteMissing");
  w.Bool(d.delete_missing);
  w.Key("history");
  w.Bool(d.history);
  if (!d.schedule.empty()) member("schedule", d.schedule.text());
  member("origin", d.origin);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

}  // namespace dejima::connect
