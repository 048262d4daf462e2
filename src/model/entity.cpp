#include "model/entity.h"

#include <algorithm>

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
  std::erase_if(attrs, [&](const AttrInstance& a) {
    return a.name == name && (all_datasets || a.dataset_id == dataset_id);
  });
  return before - attrs.size();
}

void Entity::insert(AttrInstance inst) {
  auto last = std::find_if(attrs.rbegin(), attrs.rend(), [&](const AttrInstance& a) { return a.name == inst.name; });
  if (last == attrs.rend()) attrs.push_back(std::move(inst));
  else attrs.insert(last.base(), std::move(inst));
}

}  // namespace dejima::model

namespace dejima::model {

std::string attribute_type(const AttrInstance& a) {
  constexpr std::string_view kPrefix = "{\"type\":\"";  // how the internal form is written
  if (a.json.starts_with(kPrefix)) {
    const size_t end = a.json.find('"', kPrefix.size());
    if (end != std::string::npos) return a.json.substr(kPrefix.size(), end - kPrefix.size());
  }
  json::LocalDocument<2048> d;
  if (json::parse(d.doc, a.json).empty() && d.doc.IsObject() && d.doc.HasMember("type") && d.doc["type"].IsString())
    return std::string(json::view(d.doc["type"]));
  return "Property";
}

}  // namespace dejima::model
