#include "model/entity.h"

#include <algorithm>

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
