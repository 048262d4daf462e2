#include "model/entity.h"

#include <algorithm>
#include <cstdlib>

#include "util/json.h"

namespace dejima::model {

const AttrInstance* Entity::find(std::string_view name, std::string_view dataset_id) const {
  for (const auto& a : attrs)
    if (a.name == name && a.dataset_id == dataset_id) return &a;
  return nullptr;
}

AttrInstance* Entity::find(std::string_view name, std::string_view dataset_id) {
  for (auto& a : attrs)
    if (a.name == name && a.dataset_id == dataset_id) return &a;
  return nullptr;
}

bool Entity::has_attr(std::string_view name) const {
  return std::any_of(attrs.begin(), attrs.end(), [&](const AttrInstance& a) { return a.name == name; });
}

bool Entity::has_type(std::string_view type) const {
  return std::find(types.begin(), types.end(), type) != types.end();
}

size_t Entity::erase(std::string_view name, std::string_view dataset_id, bool all_datasets) {
  auto before = attrs.size();
  std::erase_if(attrs,
                [&](const AttrInstance& a) { return a.name == name && (all_datasets || a.dataset_id == dataset_id); });
  return before - attrs.size();
}

void Entity::insert(AttrInstance inst) {
  auto last = std::find_if(attrs.rbegin(), attrs.rend(), [&](const AttrInstance& a) { return a.name == inst.name; });
  if (last == attrs.rend())
    attrs.push_back(std::move(inst));
  else
    attrs.insert(last.base(), std::move(inst));
}

}  // namespace dejima::model

namespace dejima::model {

std::string_view value_key(std::string_view type) {
  if (type == "Relationship") return "object";
  if (type == "LanguageProperty") return "languageMap";
  if (type == "VocabProperty") return "vocab";
  if (type == "JsonProperty") return "json";
  if (type == "ListProperty") return "valueList";
  if (type == "ListRelationship") return "objectList";
  return "value";
}

std::string attribute_type(const AttrInstance& a) {
  constexpr std::string_view kPrefix = "{\"type\":\"";  // how the internal form is written
  if (a.json.starts_with(kPrefix)) {
    const size_t end = a.json.find('"', kPrefix.size());
    if (end != std::string::npos) return a.json.substr(kPrefix.size(), end - kPrefix.size());
  }
  json::LocalDocument<2048> d;
  if (json::parse_stored(d.doc, a.json).empty() && d.doc.IsObject() && d.doc.HasMember("type") &&
      d.doc["type"].IsString())
    return std::string(json::view(d.doc["type"]));
  return "Property";
}

}  // namespace dejima::model

namespace dejima::model {
namespace {

// Reads the scalar after `"type":"Property","value":` (or Relationship/object) in the layout
// the parser writes; anything else stays Kind::None.
Scalar scan_scalar(std::string_view j) {
  Scalar s;
  std::string_view rest;
  for (auto prefix :
       {std::string_view(R"({"type":"Property","value":)"), std::string_view(R"({"type":"Relationship","object":)")})
    if (j.starts_with(prefix)) rest = j.substr(prefix.size());
  if (rest.empty()) return s;
  const size_t start = j.size() - rest.size();
  if (rest.front() == '"') {
    size_t end = 1;
    while (end < rest.size() && rest[end] != '"' && rest[end] != '\\') ++end;
    if (end >= rest.size() || rest[end] != '"') return s;  // escapes: leave it to the JSON path
    if (start + end > UINT16_MAX) return s;                // long texts too
    s.kind = Scalar::Kind::String;
    s.offset = static_cast<std::uint16_t>(start + 1);
    s.length = static_cast<std::uint16_t>(end - 1);
  } else if (rest.starts_with("true") || rest.starts_with("false")) {
    s.kind = Scalar::Kind::Bool;
    s.boolean = rest.front() == 't';
  } else if (rest.front() == '-' || (rest.front() >= '0' && rest.front() <= '9')) {
    const char* first = rest.data();
    char* end = nullptr;
    s.number = std::strtod(first, &end);
    if (end == first || (*end != ',' && *end != '}')) return Scalar{};
    s.kind = Scalar::Kind::Number;
  }
  return s;
}

}  // namespace

void extract_scalars(Entity& e) {
  for (auto& a : e.attrs) a.scalar = scan_scalar(a.json);
}

}  // namespace dejima::model
