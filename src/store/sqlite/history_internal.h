// What history_writer.cpp and history_reader.cpp share: the JSON of the entity rows' lists and
// the main value of a stored instance.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"

namespace dejima::store::sqlite {

// A JSON array of strings (an entity row's types or scopes) as a list.
inline std::vector<std::string> from_json_array(std::string_view text) {
  std::vector<std::string> out;
  json::Document d;
  (void)json::parse_stored(d, text);
  if (d.IsArray())
    for (const auto& v : d.GetArray())
      if (v.IsString()) out.emplace_back(json::view(v));
  return out;
}

// The main value of an instance (value, object, languageMap, ...) as JSON text, and the
// number when it is one.
struct MainValue {
  std::string text;
  bool is_number = false;
  double number = 0;
};

inline MainValue main_value(std::string_view doc) {
  MainValue out;
  json::LocalDocument<2048> d;
  (void)json::parse_stored(d.doc, doc);
  if (!d.doc.IsObject()) return out;
  for (const char* key : {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"}) {
    auto it = d.doc.FindMember(key);
    if (it == d.doc.MemberEnd()) continue;
    out.text = json::to_string(it->value);
    if (it->value.IsNumber()) {
      out.is_number = true;
      out.number = it->value.GetDouble();
    }
    break;
  }
  return out;
}

}  // namespace dejima::store::sqlite
