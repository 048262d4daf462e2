#include "subscription/trigger.h"

#include <algorithm>

namespace dejima::subscription {
namespace {

bool same_instances(const model::Entity& a, const model::Entity& b, const model::Name& name) {
  std::vector<const model::AttrInstance*> x, y;
  for (const auto& i : a.attrs)
    if (i.name == name) x.push_back(&i);
  for (const auto& i : b.attrs)
    if (i.name == name) y.push_back(&i);
  if (x.size() != y.size()) return false;
  for (size_t k = 0; k < x.size(); ++k)
    if (x[k]->dataset_id != y[k]->dataset_id || x[k]->json != y[k]->json || x[k]->modified_at != y[k]->modified_at)
      return false;
  return true;
}

}  // namespace

Diff diff(const broker::ChangeEvent& c) {
  Diff d;
  auto names = [](const model::Entity& e) {
    std::vector<model::Name> out;
    for (const auto& a : e.attrs)
      if (std::find(out.begin(), out.end(), a.name) == out.end()) out.push_back(a.name);
    return out;
  };
  if (!c.before) {
    d.entity_trigger = kEntityCreated;
    for (const auto& n : names(*c.after)) d.attrs.emplace_back(n, kAttributeCreated);
    return d;
  }
  if (!c.after) {  // every attribute goes with the entity
    d.entity_trigger = kEntityDeleted;
    for (const auto& n : names(*c.before)) d.attrs.emplace_back(n, kAttributeDeleted);
    return d;
  }
  // An instance (datasetId) that went is a deletion, a new one a creation, else a change.
  auto has_instance = [](const model::Entity& e, const model::AttrInstance& i) {
    return e.find(i.name, i.dataset_id) != nullptr;
  };
  const auto old_names = names(*c.before);
  for (const auto& n : names(*c.after)) {
    if (std::find(old_names.begin(), old_names.end(), n) == old_names.end()) {
      d.attrs.emplace_back(n, kAttributeCreated);
      continue;
    }
    if (same_instances(*c.before, *c.after, n)) continue;
    const bool went = std::any_of(c.before->attrs.begin(), c.before->attrs.end(),
                                  [&](const auto& i) { return i.name == n && !has_instance(*c.after, i); });
    const bool came = std::any_of(c.after->attrs.begin(), c.after->attrs.end(),
                                  [&](const auto& i) { return i.name == n && !has_instance(*c.before, i); });
    d.attrs.emplace_back(n, went ? kAttributeDeleted : came ? kAttributeCreated : kAttributeUpdated);
  }
  for (const auto& n : old_names)
    if (!c.after->has_attr(n)) d.attrs.emplace_back(n, kAttributeDeleted);
  if (!d.attrs.empty() || c.before->types != c.after->types || c.before->scopes != c.after->scopes)
    d.entity_trigger = kEntityUpdated;
  return d;
}

unsigned fired(const Subscription& s, const Diff& d) {
  auto watched = [&](const model::Name& n) {
    return s.watched.empty() || std::find(s.watched.begin(), s.watched.end(), n) != s.watched.end();
  };
  if (d.entity_trigger == kEntityDeleted && (s.triggers & kEntityDeleted)) return kEntityDeleted;
  for (const auto& [name, kind] : d.attrs)
    if ((kind & s.triggers) && watched(name)) return kind;
  if (d.entity_trigger & s.triggers) {
    if (d.entity_trigger == kEntityDeleted || s.watched.empty()) return d.entity_trigger;
    for (const auto& [name, kind] : d.attrs)
      if (watched(name)) return d.entity_trigger;
  }
  return 0;
}

}  // namespace dejima::subscription
