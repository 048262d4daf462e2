#include "model/codec.h"

#include "jsonld/context.h"
#include "util/json.h"

namespace dejima::model {

// {"id":..,"type":[..],"scope":[..],"c":ms,"m":ms,"a":[{"n":name,"d":datasetId,"c":ms,"m":ms,"v":{..}}]}
// An attribute name in the default vocabulary is written as "s" (its suffix) instead of "n", and
// an attribute's "c"/"m" are left out when they equal the entity's: most attributes of most
// entities, which halves a typical document. Documents written with "n" and every "c"/"m" (before
// 2026-12-02) read the same.
std::string encode(const Entity& e) {
  rapidjson::StringBuffer sb(nullptr, 2048);
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, e.id);
  w.Key("type");
  w.StartArray();
  for (const auto& t : e.types) json::write_string(w, t);
  w.EndArray();
  if (!e.scopes.empty()) {
    w.Key("scope");
    w.StartArray();
    for (const auto& s : e.scopes) json::write_string(w, s);
    w.EndArray();
  }
  w.Key("c");
  w.Int64(e.created_at);
  w.Key("m");
  w.Int64(e.modified_at);
  w.Key("a");
  w.StartArray();
  for (const auto& a : e.attrs) {
    w.StartObject();
    const std::string_view name = a.name;
    if (name.starts_with(jsonld::kDefaultVocab)) {
      w.Key("s");
      json::write_string(w, name.substr(jsonld::kDefaultVocab.size()));
    } else {
      w.Key("n");
      json::write_string(w, name);
    }
    if (!a.dataset_id.empty()) {
      w.Key("d");
      json::write_string(w, a.dataset_id);
    }
    if (a.created_at != e.created_at) {
      w.Key("c");
      w.Int64(a.created_at);
    }
    if (a.modified_at != e.modified_at) {
      w.Key("m");
      w.Int64(a.modified_at);
    }
    w.Key("v");
    json::write_raw(w, a.json);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

Result<Entity> decode(std::string_view doc) {
  json::Document d;
  if (auto err = json::parse(d, doc); !err.empty()) return fail(ErrorKind::InternalError, "corrupt entity document", err);
  auto bad = [] { return fail(ErrorKind::InternalError, "corrupt entity document", "unexpected layout"); };
  if (!d.IsObject() || !d.HasMember("id") || !d["id"].IsString() || !d.HasMember("type") || !d["type"].IsArray() ||
      !d.HasMember("a") || !d["a"].IsArray())
    return bad();
  Entity e;
  e.id = json::view(d["id"]);
  for (const auto& t : d["type"].GetArray()) e.types.emplace_back(json::view(t));
  if (d.HasMember("scope"))
    for (const auto& s : d["scope"].GetArray()) e.scopes.emplace_back(json::view(s));
  e.created_at = d["c"].GetInt64();
  e.modified_at = d["m"].GetInt64();
  e.attrs.reserve(d["a"].Size());
  std::string name;
  for (const auto& a : d["a"].GetArray()) {
    if (!a.IsObject() || !a.HasMember("v")) return bad();
    AttrInstance inst;
    if (auto n = a.FindMember("n"); n != a.MemberEnd() && n->value.IsString()) {
      inst.name = json::view(n->value);
    } else if (auto s = a.FindMember("s"); s != a.MemberEnd() && s->value.IsString()) {
      name.assign(jsonld::kDefaultVocab).append(json::view(s->value));
      inst.name = name;
    } else {
      return bad();
    }
    if (a.HasMember("d")) inst.dataset_id = json::view(a["d"]);
    auto c = a.FindMember("c"), m = a.FindMember("m");
    inst.created_at = c != a.MemberEnd() && c->value.IsInt64() ? c->value.GetInt64() : e.created_at;
    inst.modified_at = m != a.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : e.modified_at;
    inst.json = json::to_string(a["v"]);
    e.attrs.push_back(std::move(inst));
  }
  return e;
}

}  // namespace dejima::model
