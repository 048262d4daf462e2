#include "subscription/trigger.h"

#include <algorithm>

#include "util/json.h"

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

// Whether two versions of an instance differ in what it is (type, value, object, ...), rather
// than only in its sub-attributes, observedAt or unitCode.
bool value_differs(const model::AttrInstance& a, const model::AttrInstance& b) {
  json::Document x, y;
  if (!json::parse_stored(x, a.json).empty() || !json::parse_stored(y, b.json).empty()) return true;
  for (const char* key : {"type", "value", "object", "languageMap", "json", "vocab", "valueType"}) {
    const json::Value* u = json::member(x, key);
    const json::Value* v = json::member(y, key);
    if (!u != !v || (u && *u != *v)) return true;
  }
  return false;
}

// Sorts an updated attribute into value_changed or meta_changed (or neither: written as it was).
void classify(Diff& d, const model::Entity& before, const model::Entity& after, const model::Name& name) {
  bool value = false, meta = false;
  for (const auto& i : after.attrs) {
    if (i.name != name) continue;
    const model::AttrInstance* old = before.find(i.name, i.dataset_id);
    if (!old || value_differs(*old, i)) {
      value = true;
    } else if (old->json != i.json) {
      meta = true;
    }
  }
  if (value)
    d.value_changed.push_back(name);
  else if (meta)
    d.meta_changed.push_back(name);
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
    for (const auto& [n, kind] : d.attrs) d.value_changed.push_back(n);
    return d;
  }
  if (!c.after) {  // every attribute goes with the entity
    d.entity_trigger = kEntityDeleted;
    for (const auto& n : names(*c.before)) d.attrs.emplace_back(n, kAttributeDeleted);
    for (const auto& [n, kind] : d.attrs) d.value_changed.push_back(n);
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
      d.value_changed.push_back(n);
      continue;
    }
    if (same_instances(*c.before, *c.after, n)) continue;
    const bool went = std::any_of(c.before->attrs.begin(), c.before->attrs.end(),
                                  [&](const auto& i) { return i.name == n && !has_instance(*c.after, i); });
    const bool came = std::any_of(c.after->attrs.begin(), c.after->attrs.end(),
                                  [&](const auto& i) { return i.name == n && !has_instance(*c.before, i); });
    d.attrs.emplace_back(n, went ? kAttributeDeleted : came ? kAttributeCreated : kAttributeUpdated);
    if (went || came)
      d.value_changed.push_back(n);
    else
      d.unclassified.push_back(n);
  }
  for (const auto& n : old_names)
    if (!c.after->has_attr(n)) {
      d.attrs.emplace_back(n, kAttributeDeleted);
      d.value_changed.push_back(n);
    }
  if (!d.attrs.empty() || c.before->types != c.after->types || c.before->scopes != c.after->scopes)
    d.entity_trigger = kEntityUpdated;
  return d;
}

void classify_updates(Diff& d, const broker::ChangeEvent& c) {
  for (const auto& n : d.unclassified) classify(d, *c.before, *c.after, n);
  d.unclassified.clear();
}

void mark_operated(Diff& d, const broker::ChangeEvent& c) {
  if (!c.origin || !c.before || !c.after) return;  // a created or deleted entity changed every attribute
  for (const auto& [id, name] : c.origin->operated) {
    if (id != c.after->id || !c.after->has_attr(name) ||
        std::find(d.value_changed.begin(), d.value_changed.end(), name) != d.value_changed.end())
      continue;
    const bool written = std::any_of(c.after->attrs.begin(), c.after->attrs.end(), [&](const model::AttrInstance& i) {
      const model::AttrInstance* old = c.before->find(i.name, i.dataset_id);
      return i.name == name && (!old || old->modified_at != i.modified_at);
    });
    if (!written) continue;  // refused (appendStrict) or left out: not operated after all
    std::erase(d.unclassified, name);
    std::erase(d.meta_changed, name);
    if (std::none_of(d.attrs.begin(), d.attrs.end(), [&](const auto& a) { return a.first == name; }))
      d.attrs.emplace_back(name, kAttributeUpdated);
    d.value_changed.push_back(name);
    if (!d.entity_trigger) d.entity_trigger = kEntityUpdated;
  }
}

unsigned fired(const Subscription& s, const Diff& d) {
  auto watched = [&](const model::Name& n) {
    return s.watched.empty() || std::find(s.watched.begin(), s.watched.end(), n) != s.watched.end();
  };
  if (s.triggers & kAlterations) {
    auto any_watched = [&](const auto& names) {
      return std::any_of(names.begin(), names.end(), [&](const auto& n) { return watched(n); });
    };
    std::vector<model::Name> touched;
    for (const auto& [name, kind] : d.attrs) touched.push_back(name);
    if (d.entity_trigger == kEntityDeleted) return s.triggers & kAltDelete;
    if (d.entity_trigger == kEntityCreated)
      return (s.triggers & kAltCreate) && (s.watched.empty() || any_watched(touched)) ? unsigned{kAltCreate} : 0u;
    if ((s.triggers & kAltChange) && (any_watched(d.value_changed) || (d.forced && any_watched(touched)) ||
                                      (s.notify_on_metadata_change && any_watched(d.meta_changed))))
      return kAltChange;
    if ((s.triggers & kAltUpdate) && any_watched(touched)) return kAltUpdate;
    return 0;
  }
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
