#include "temporal/render.h"

#include <charconv>

#include "model/entity.h"
#include "model/render.h"

namespace dejima::temporal {
namespace {

constexpr std::string_view kInstancePrefix = "urn:ngsi-ld:Instance:";

// The simplified representation's member for an attribute type (clause 4.5.9).
std::string_view values_key(std::string_view type) {
  if (type == "Relationship") return "objects";
  if (type == "LanguageProperty") return "languageMaps";
  if (type == "VocabProperty") return "vocabs";
  if (type == "JsonProperty") return "jsons";
  if (type == "ListProperty") return "valueLists";
  if (type == "ListRelationship") return "objectLists";
  return "values";
}

// The instance's JSON with instanceId (and deletedAt) added.
std::string with_instance_members(const store::InstanceRecord& r) {
  std::string j = r.json;
  if (j.empty() || j.back() != '}') return j;
  j.pop_back();
  if (j.size() > 1) j += ',';
  j += "\"instanceId\":\"" + instance_id(r.instance) + "\"";
  if (r.deleted_at) j += ",\"deletedAt\":\"" + format_iso8601(r.deleted_at) + "\"";
  j += '}';
  return j;
}

void write_types(json::Writer& w, const std::vector<std::string>& types, const jsonld::Context& ctx) {
  if (types.size() == 1) return json::write_string(w, ctx.compact(types[0]));
  w.StartArray();
  for (const auto& t : types) json::write_string(w, ctx.compact(t));
  w.EndArray();
}

void write_shell(json::Writer& w, const store::HistoryEntity& e, const jsonld::Context& ctx, const RenderOptions& o) {
  w.Key("id");
  json::write_string(w, e.id);
  w.Key("type");
  write_types(w, e.types, ctx);
  if (!e.scopes.empty()) {
    w.Key("scope");
    w.StartArray();
    for (const auto& s : e.scopes) json::write_string(w, s);
    w.EndArray();
  }
  if (o.sys_attrs) {
    w.Key("createdAt");
    json::write_string(w, format_iso8601(e.created_at));
    w.Key("modifiedAt");
    json::write_string(w, format_iso8601(e.modified_at));
  }
  if (e.deleted_at) {
    w.Key("deletedAt");
    json::write_string(w, format_iso8601(e.deleted_at));
  }
}

void write_simplified(json::Writer& w, const AttributeHistory& a, const RenderOptions& o) {
  w.StartObject();
  std::string type = "Property";
  if (!a.instances.empty()) {
    model::AttrInstance first;
    first.json = a.instances.front().json;
    type = model::attribute_type(first);
  }
  w.Key("type");
  json::write_string(w, type);
  json::write_key(w, values_key(type));
  w.StartArray();
  const std::string_view key = model::value_key(type);
  for (const auto& r : a.instances) {
    json::LocalDocument<4096> d;
    (void)json::parse_stored(d.doc, r.json);
    w.StartArray();
    auto it = d.doc.IsObject() ? d.doc.FindMember(key.data()) : d.doc.MemberEnd();
    if (d.doc.IsObject() && it != d.doc.MemberEnd())
      it->value.Accept(w);
    else
      w.Null();
    json::write_string(w, value_time(r.time(o.time_property)));
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
}

void write_aggregated(json::Writer& w, const AttributeHistory& a, const RenderOptions& o) {
  w.StartObject();
  w.Key("type");
  json::write_string(w, a.type);
  for (Method m : o.methods) {
    json::write_key(w, method_name(m));
    w.StartArray();
    for (const auto& p : a.periods) {
      w.StartArray();
      write_result(w, m, p);
      json::write_string(w, value_time(p.start));
      json::write_string(w, value_time(p.end));
      w.EndArray();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string value_time(Millis t) {
  std::string s = format_iso8601(t);
  if (s.ends_with(".000Z")) s.replace(s.size() - 5, 5, "Z");
  return s;
}

std::string instance_id(long long n) { return std::string(kInstancePrefix) + std::to_string(n); }

long long instance_number(std::string_view id) {
  if (!id.starts_with(kInstancePrefix)) return 0;
  id.remove_prefix(kInstancePrefix.size());
  long long n = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  return ec == std::errc() && p == id.data() + id.size() && n > 0 ? n : 0;
}

void render_temporal_entity(json::Writer& w, const store::HistoryEntity& e, const std::vector<AttributeHistory>& attrs,
                            const jsonld::Context& ctx, const RenderOptions& o) {
  if (o.representation == Representation::Normalized) {
    // The instances as one entity whose attributes repeat: the entity renderer writes each
    // attribute's instances as an array, sub-attributes compacted.
    model::Entity shell;
    shell.id = e.id;
    for (const auto& a : attrs)
      for (const auto& r : a.instances) {
        model::AttrInstance inst;
        inst.name = a.name;
        inst.dataset_id = r.dataset_id;
        inst.json = with_instance_members(r);
        inst.created_at = r.created_at;
        inst.modified_at = r.modified_at;
        shell.attrs.push_back(std::move(inst));
      }
    model::RenderOptions ro;
    ro.sys_attrs = o.sys_attrs;
    ro.instance_arrays = true;
    w.StartObject();
    write_shell(w, e, ctx, o);
    model::render_attributes(w, shell, ctx, ro);
  } else {
    w.StartObject();
    write_shell(w, e, ctx, o);
    for (const auto& a : attrs) {
      if (o.representation == Representation::TemporalValues && a.instances.empty()) continue;
      json::write_key(w, ctx.compact(a.name));
      if (o.representation == Representation::TemporalValues)
        write_simplified(w, a, o);
      else
        write_aggregated(w, a, o);
    }
  }
  if (o.with_context) {
    w.Key("@context");
    json::write_raw(w, ctx.context_json());
  }
  w.EndObject();
}

}  // namespace dejima::temporal
