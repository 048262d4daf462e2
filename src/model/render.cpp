#include "model/render.h"

#include <algorithm>
#include <cstdlib>

namespace dejima::model {
namespace {

// Instance documents are small: parse them into a stack-backed document.
struct SmallDoc : json::LocalDocument<8192> {
  explicit SmallDoc(std::string_view text) { (void)json::parse_stored(doc, text); }
};

bool core_member(std::string_view k) {
  return k == "type" || k == "value" || k == "object" || k == "languageMap" || k == "json" || k == "valueList" ||
         k == "objectList" || k == "observedAt" || k == "unitCode" || k == "valueType" || k == "vocab" ||
         k == "objectType" || k == "lang" || k == "instanceId" || k == "deletedAt" ||
         k.starts_with("previous");  // previousValue etc. (showChanges)
}

void write_compacted(json::Writer& w, const json::Value& v, const jsonld::Context& ctx) {
  if (v.IsString()) {
    json::write_string(w, ctx.compact(json::view(v)));
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& s : v.GetArray()) write_compacted(w, s, ctx);
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

// The language ranges of `lang`, like Accept-Language: "fr-CH,fr;q=0.9,*;q=0.5", best first.
std::vector<std::string> language_ranges(const std::string& lang) {
  std::vector<std::pair<double, std::string>> ranked;
  size_t start = 0;
  while (start <= lang.size()) {
    size_t comma = lang.find(',', start);
    if (comma == std::string::npos) comma = lang.size();
    std::string item = lang.substr(start, comma - start);
    double q = 1;
    if (size_t semi = item.find(';'); semi != std::string::npos) {
      if (size_t eq = item.find("q=", semi); eq != std::string::npos) q = std::strtod(item.c_str() + eq + 2, nullptr);
      item.resize(semi);
    }
    while (!item.empty() && item.back() == ' ') item.pop_back();
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    if (!item.empty() && q > 0) ranked.emplace_back(q, std::move(item));
    start = comma + 1;
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& [q, r] : ranked) out.push_back(std::move(r));
  return out;
}

// The string of a languageMap in the wanted language: for each range of `lang` in order, the
// exact tag, then a tag of that primary language ("*": the first entry); failing all, "@none",
// then the first entry. Returns the chosen tag too.
std::pair<const json::Value*, std::string> pick_language(const json::Value& map, const std::string& lang) {
  if (map.MemberCount() == 0) return {nullptr, ""};
  for (const auto& range : language_ranges(lang)) {
    if (range == "*") return {&map.MemberBegin()->value, std::string(json::view(map.MemberBegin()->name))};
    for (auto m = map.MemberBegin(); m != map.MemberEnd(); ++m)
      if (json::view(m->name) == range) return {&m->value, range};
    for (auto m = map.MemberBegin(); m != map.MemberEnd(); ++m)
      if (json::view(m->name).starts_with(range + "-")) return {&m->value, std::string(json::view(m->name))};
  }
  if (map.HasMember("@none")) return {&map["@none"], "@none"};
  return {&map.MemberBegin()->value, std::string(json::view(map.MemberBegin()->name))};
}

void write_simplified_value(json::Writer& w, const json::Value& inst, const jsonld::Context& ctx,
                            const RenderOptions& o) {
  std::string_view type = inst.HasMember("type") ? json::view(inst["type"]) : "Property";
  std::string_view key = value_key(type);
  auto it = inst.FindMember(key.data());
  if (it == inst.MemberEnd()) {
    w.Null();
    return;
  }
  if (type == "VocabProperty") return write_compacted(w, it->value, ctx);
  if (type == "LanguageProperty" && !o.lang.empty()) {
    auto [v, tag] = pick_language(it->value, o.lang);
    if (v)
      v->Accept(w);
    else
      w.Null();
    return;
  }
  it->value.Accept(w);
}

void write_instance(json::Writer& w, const json::Value& inst, const jsonld::Context& ctx, const RenderOptions& o,
                    const AttrInstance* top) {
  std::string_view type = inst.HasMember("type") ? json::view(inst["type"]) : "Property";
  const bool concise = o.format == Format::Concise;
  const bool lang_select = type == "LanguageProperty" && !o.lang.empty();
  bool has_extra = top && (o.sys_attrs || !top->dataset_id.empty());
  if (!has_extra)
    for (auto m = inst.MemberBegin(); m != inst.MemberEnd(); ++m) {
      std::string_view k = json::view(m->name);
      if (k != "type" && k != value_key(type)) has_extra = true;
    }
  if (concise && !has_extra && !lang_select) {
    const auto& v = inst[value_key(type).data()];
    if ((type == "Property" && !v.IsObject() && !v.IsArray()) || type == "GeoProperty") {
      v.Accept(w);
      return;
    }
  }
  w.StartObject();
  if (lang_select) {
    if (!concise) {
      w.Key("type");
      w.String("Property");
    }
    auto [v, tag] = pick_language(inst["languageMap"], o.lang);
    w.Key("value");
    if (v)
      v->Accept(w);
    else
      w.Null();
    w.Key("lang");
    json::write_string(w, tag);
  }
  for (auto m = inst.MemberBegin(); m != inst.MemberEnd(); ++m) {
    std::string_view k = json::view(m->name);
    if (lang_select && (k == "type" || k == "languageMap")) continue;
    if (k == "type") {
      if (!concise) {
        w.Key("type");
        m->value.Accept(w);
      }
      continue;
    }
    if (core_member(k)) {
      json::write_key(w, k);
      if (k == "vocab" || k == "objectType")
        write_compacted(w, m->value, ctx);
      else
        m->value.Accept(w);
    } else {
      json::write_key(w, ctx.compact(k));
      write_instance(w, m->value, ctx, o, nullptr);
    }
  }
  if (top) {
    if (!top->dataset_id.empty()) {
      w.Key("datasetId");
      json::write_string(w, top->dataset_id);
    }
    if (o.sys_attrs) {
      w.Key("createdAt");
      json::write_string(w, format_iso8601(top->created_at));
      w.Key("modifiedAt");
      json::write_string(w, format_iso8601(top->modified_at));
    }
  }
  w.EndObject();
}

bool listed(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

void write_types(json::Writer& w, const Entity& e, const jsonld::Context& ctx) {
  if (e.types.size() == 1) {
    json::write_string(w, ctx.compact(e.types[0]));
    return;
  }
  w.StartArray();
  for (const auto& t : e.types) json::write_string(w, ctx.compact(t));
  w.EndArray();
}

void write_attributes(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o);

// Writes the attribute members (and id/type/scope/sysAttrs unless properties_only).
void write_members(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o,
                   bool feature_properties) {
  if (!feature_properties && o.shows("id")) {
    w.Key("id");
    json::write_string(w, e.id);
  }
  if (o.shows("type")) {
    w.Key("type");
    write_types(w, e, ctx);
  }
  if (!e.scopes.empty() && o.shows("scope")) {
    w.Key("scope");
    if (e.scopes.size() == 1)
      json::write_string(w, e.scopes[0]);
    else {
      w.StartArray();
      for (const auto& s : e.scopes) json::write_string(w, s);
      w.EndArray();
    }
  }
  if (o.sys_attrs) {  // entity level in every format (attribute level: not in keyValues)
    w.Key("createdAt");
    json::write_string(w, format_iso8601(e.created_at));
    w.Key("modifiedAt");
    json::write_string(w, format_iso8601(e.modified_at));
  }
  write_attributes(w, e, ctx, o);
}

void write_attributes(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  for (size_t i = 0; i < e.attrs.size();) {
    size_t j = i + 1;
    while (j < e.attrs.size() && e.attrs[j].name == e.attrs[i].name) ++j;
    const std::string& name = e.attrs[i].name;
    // With datasetId=..., only the listed instances ("@none": the default instance).
    auto wanted = [&](const AttrInstance& a) {
      if (o.dataset_ids.empty()) return true;
      return listed(o.dataset_ids, a.dataset_id.empty() ? std::string_view("@none") : std::string_view(a.dataset_id));
    };
    const size_t count = static_cast<size_t>(std::count_if(e.attrs.begin() + i, e.attrs.begin() + j, wanted));
    if (count > 0 && o.shows(name)) {
      json::write_key(w, ctx.compact(name));
      if (o.format == Format::KeyValues && count > 1) {
        // The simplified multi-attribute (clause 4.5.4): {"dataset": {"@none": v, "<datasetId>": v}}.
        w.StartObject();
        w.Key("dataset");
        w.StartObject();
        for (size_t k = i; k < j; ++k) {
          if (!wanted(e.attrs[k])) continue;
          json::write_key(
              w, e.attrs[k].dataset_id.empty() ? std::string_view("@none") : std::string_view(e.attrs[k].dataset_id));
          SmallDoc d(e.attrs[k].json);
          write_simplified_value(w, d.doc, ctx, o);
        }
        w.EndObject();
        w.EndObject();
        i = j;
        continue;
      }
      const bool array = count > 1 || o.instance_arrays;
      if (array) w.StartArray();
      for (size_t k = i; k < j; ++k) {
        if (!wanted(e.attrs[k])) continue;
        SmallDoc d(e.attrs[k].json);
        if (o.format == Format::KeyValues)
          write_simplified_value(w, d.doc, ctx, o);
        else
          write_instance(w, d.doc, ctx, o, &e.attrs[k]);
      }
      if (array) w.EndArray();
    }
    i = j;
  }
}

}  // namespace

bool RenderOptions::shows(std::string_view name) const {
  if (listed(omitted, name)) return false;
  if (!pick || listed(picked, name)) return true;
  return pick_id_type && (name == "id" || name == "type");
}

RenderOptions RenderOptions::unprojected() const {
  RenderOptions o = *this;
  o.pick = false;
  o.pick_id_type = true;
  o.picked.clear();
  o.omitted.clear();
  o.linked.clear();
  return o;
}

RenderOptions RenderOptions::for_linked(const std::string& rel) const {
  if (auto it = linked.find(rel); it != linked.end()) return *it->second;
  return unprojected();
}

bool projection_matches(const Entity& e, const RenderOptions& o) {
  if (!o.pick && o.omitted.empty()) return true;
  if (!o.pick_id_type || !o.pick) {  // pick or omit: any member left
    if (o.shows("id") || o.shows("type") || (!e.scopes.empty() && o.shows("scope"))) return true;
  }
  return std::any_of(e.attrs.begin(), e.attrs.end(), [&](const AttrInstance& a) { return o.shows(a.name.str()); });
}

void render_attributes(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  write_attributes(w, e, ctx, o);
}

void render_entity(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  w.StartObject();
  write_members(w, e, ctx, o, false);
  if (o.with_context) {
    w.Key("@context");
    json::write_raw(w, ctx.context_json());
  }
  w.EndObject();
}

std::string render_entity(const Entity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  render_entity(w, e, ctx, o);
  return {sb.GetString(), sb.GetSize()};
}

void render_feature(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o,
                    const std::string& geometry_property) {
  w.StartObject();
  w.Key("id");
  json::write_string(w, e.id);
  w.Key("type");
  w.String("Feature");
  w.Key("geometry");
  const AttrInstance* geo = e.find(geometry_property, "");
  if (!geo)
    for (const auto& a : e.attrs)
      if (a.name == geometry_property) geo = &a;
  bool written = false;
  if (geo) {
    SmallDoc d(geo->json);
    if (d.doc.HasMember("type") && json::view(d.doc["type"]) == "GeoProperty" && d.doc.HasMember("value")) {
      d.doc["value"].Accept(w);
      written = true;
    }
  }
  if (!written) w.Null();
  w.Key("properties");
  w.StartObject();
  write_members(w, e, ctx, o, true);
  w.EndObject();
  if (o.with_context) {  // a Feature carries the @context of the request, as an array
    w.Key("@context");
    const std::string& c = ctx.context_json();
    json::write_raw(w, c.starts_with('"') ? "[" + c + "]" : c);
  }
  w.EndObject();
}

const std::string& cached_body(const Entity& e) {
  return e.cache.get(CachedBody::NgsiLd, [&] { return render_entity(e, *jsonld::Context::core(), RenderOptions{}); });
}

void render_entity_cached(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  if (ctx.is_core() && o.is_default())
    json::write_raw(w, cached_body(e));
  else
    render_entity(w, e, ctx, o);
}

}  // namespace dejima::model
