#include "model/codec.h"

#include "util/json.h"

namespace dejima::model {

// {"id":..,"type":[..],"scope":[..],"c":ms,"m":ms,"a":[{"n":name,"d":datasetId,"c":ms,"m":ms,"v":{..}}]}
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
    w.Key("n");
    json::write_string(w, a.name);
    if (!a.dataset_id.empty()) {
      w.Key("d");
      json::write_string(w, a.dataset_id);
    }
    w.Key("c");
    w.Int64(a.created_at);
    w.Key("m");
    w.Int64(a.modified_at);
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
  for (const auto& a : d["a"].GetArray()) {
    if (!a.IsObject() || !a.HasMember("n") || !a.HasMember("v")) return bad();
    AttrInstance inst;
    inst.name = json::view(a["n"]);
    if (a.HasMember("d")) inst.dataset_id = json::view(a["d"]);
    inst.created_at = a["c"].GetInt64();
    inst.modified_at = a["m"].GetInt64();
    inst.json = json::to_string(a["v"]);
    e.attrs.push_back(std::move(inst));
  }
  return e;
}

}  // namespace dejima::model
