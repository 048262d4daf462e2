#include "model/mutate.h"

#include <algorithm>

namespace dejima::model {
namespace {

void add_types(Entity& e, const std::vector<Name>& types) {
  for (const auto& t : types)
    if (!e.has_type(t)) e.types.push_back(t);
}

// Puts `inst` in place of the instance with the same name and datasetId (keeping its createdAt),
// or adds it.
void upsert(Entity& e, AttrInstance inst, Millis now) {
  inst.modified_at = now;
  if (auto* old = e.find(inst.name, inst.dataset_id)) {
    inst.created_at = old->created_at;
    *old = std::move(inst);
  } else {
    inst.created_at = now;
    e.insert(std::move(inst));
  }
}

}  // namespace

Entity new_entity(ParsedEntity&& p, Millis now) {
  Entity e;
  e.id = std::move(*p.id);
  e.types = std::move(p.types);
  if (p.scopes) e.scopes = std::move(*p.scopes);
  e.created_at = e.modified_at = now;
  e.attrs.reserve(p.attrs.size());
  for (auto& a : p.attrs) {
    a.created_at = a.modified_at = now;
    e.insert(std::move(a));
  }
  return e;
}

void replace_entity(Entity& e, ParsedEntity&& p, Millis now) {
  e.types = std::move(p.types);
  e.scopes = p.scopes ? std::move(*p.scopes) : std::vector<std::string>{};
  e.attrs.clear();
  e.attrs.reserve(p.attrs.size());
  for (auto& a : p.attrs) {
    a.created_at = a.modified_at = now;
    e.insert(std::move(a));
  }
  e.modified_at = now;
}

Entity replaced_entity(const Entity& current, ParsedEntity&& p, Millis now) {
  Entity e;
  e.id = current.id;
  e.created_at = current.created_at;
  replace_entity(e, std::move(p), now);
  return e;
}

void merge_entity(Entity& e, ParsedEntity&& p, Millis now) {
  add_types(e, p.types);
  if (p.scopes) e.scopes = std::move(*p.scopes);
  for (const auto& n : p.nulls) e.erase(n.name, n.dataset_id, false);
  for (auto& a : p.attrs) {
    if (auto* old = e.find(a.name, a.dataset_id)) {
      old->json = merge_instance(old->json, a.json);
      old->modified_at = now;
    } else {
      upsert(e, std::move(a), now);
    }
  }
  e.modified_at = now;
}

UpdateResult append_attrs(Entity& e, ParsedEntity&& p, bool no_overwrite, Millis now) {
  UpdateResult r;
  add_types(e, p.types);
  if (p.scopes && no_overwrite) {  // noOverwrite adds scopes; else they replace the old ones
    for (auto& sc : *p.scopes)
      if (std::find(e.scopes.begin(), e.scopes.end(), sc) == e.scopes.end()) e.scopes.push_back(std::move(sc));
  } else if (p.scopes) {
    e.scopes = std::move(*p.scopes);
  }
  for (const auto& n : p.nulls)
    if (e.erase(n.name, n.dataset_id, false) > 0) r.updated.push_back(n.name);
  for (auto& a : p.attrs) {
    if (no_overwrite && e.find(a.name, a.dataset_id)) {
      r.not_updated.emplace_back(a.name, "attribute already exists and options=noOverwrite was given");
      continue;
    }
    r.updated.push_back(a.name);
    upsert(e, std::move(a), now);
  }
  e.modified_at = now;
  return r;
}

UpdateResult update_attrs(Entity& e, ParsedEntity&& p, Millis now) {
  UpdateResult r;
  add_types(e, p.types);
  if (p.scopes && e.scopes.empty()) {
    r.not_updated.emplace_back("scope", "the entity has no scope to update");
  } else if (p.scopes) {
    e.scopes = std::move(*p.scopes);
    r.updated.push_back("scope");
  }
  for (const auto& n : p.nulls) {  // NGSI-LD Null deletes the instance
    if (!e.find(n.name, n.dataset_id)) {
      r.not_updated.emplace_back(
          n.name, n.dataset_id.empty() ? "attribute does not exist"
                                       : "attribute instance with datasetId " + n.dataset_id.str() + " does not exist");
      continue;
    }
    e.erase(n.name, n.dataset_id, false);
    r.updated.push_back(n.name);
  }
  // An attribute (or datasetId instance) the entity lacks is appended (clause 5.6.2.4 of 1.9.1).
  for (auto& a : p.attrs) {
    r.updated.push_back(a.name);
    upsert(e, std::move(a), now);
  }
  if (!r.updated.empty() || !p.types.empty()) e.modified_at = now;
  return r;
}

bool partial_update_attr(Entity& e, const AttrInstance& patch, Millis now) {
  auto* old = e.find(patch.name, patch.dataset_id);
  if (!old) return false;
  old->json = merge_instance(old->json, patch.json);
  old->modified_at = now;
  e.modified_at = now;
  return true;
}

bool replace_attr(Entity& e, AttrInstance inst, Millis now) {
  if (!e.find(inst.name, inst.dataset_id)) return false;
  upsert(e, std::move(inst), now);
  e.modified_at = now;
  return true;
}

namespace {

Error attribute_not_found(std::string_view shown, std::string_view dataset_id) {
  return Error{ErrorKind::ResourceNotFound, "Attribute not found",
               std::string(shown) + (dataset_id.empty() ? "" : " with datasetId " + std::string(dataset_id))};
}

}  // namespace

Status patch_attribute(Entity& e, const AttrInstance& patch, bool remove, const std::optional<std::string>& patch_type,
                       std::string_view shown, Millis now) {
  if (remove) {
    if (e.erase(patch.name, patch.dataset_id, false) == 0)
      return std::unexpected(attribute_not_found(shown, patch.dataset_id.str()));
    e.modified_at = now;
    return {};
  }
  const auto* old = e.find(patch.name, patch.dataset_id);
  if (old && patch_type && *patch_type != attribute_type(*old))
    return fail(ErrorKind::BadRequestData, "Attribute type mismatch",
                std::string(shown) + " is a " + attribute_type(*old) + ", not a " + *patch_type);
  if (!partial_update_attr(e, patch, now)) return std::unexpected(attribute_not_found(shown, patch.dataset_id.str()));
  return {};
}

Status replace_attribute(Entity& e, const AttrInstance& inst, std::string_view shown, Millis now) {
  if (!replace_attr(e, inst, now)) return std::unexpected(attribute_not_found(shown, inst.dataset_id.str()));
  return {};
}

Status delete_attribute(Entity& e, std::string_view shown, const std::string& name, const std::string& dataset_id,
                        bool all, Millis now) {
  if (shown == "scope") {  // the entity's scope member, not an attribute
    if (e.scopes.empty()) return fail(ErrorKind::ResourceNotFound, "Scope not found", "the entity has no scope");
    e.scopes.clear();
  } else if (e.erase(name, dataset_id, all) == 0) {
    return std::unexpected(attribute_not_found(shown, dataset_id));
  }
  e.modified_at = now;
  return {};
}

}  // namespace dejima::model
