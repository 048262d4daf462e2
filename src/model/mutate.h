// The NGSI-LD write operations on one entity (clause 5.6), as pure functions on the model.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/entity.h"
#include "model/parse.h"

namespace dejima::model {

struct UpdateResult {
  std::vector<std::string> updated;                              // expanded names
  std::vector<std::pair<std::string, std::string>> not_updated;  // expanded name, reason
};

Entity new_entity(ParsedEntity&& p, Millis now);
// PUT /entities/{id}: new types, scope and attributes; keeps id and createdAt.
void replace_entity(Entity& e, ParsedEntity&& p, Millis now);
// The same as a new entity: `current`'s id and createdAt with p's contents, without copying the
// attributes it replaces.
Entity replaced_entity(const Entity& current, ParsedEntity&& p, Millis now);
// PATCH /entities/{id} (merge-patch): adds types, merges attributes, urn:ngsi-ld:null deletes.
void merge_entity(Entity& e, ParsedEntity&& p, Millis now);
// POST /entities/{id}/attrs (noOverwrite keeps existing attributes and adds to the scope)
UpdateResult append_attrs(Entity& e, ParsedEntity&& p, bool no_overwrite, Millis now);
// PATCH /entities/{id}/attrs: attribute instances are replaced, or appended where the entity
// lacks them (clause 5.6.2.4 of 1.9.1); a scope only where the entity has one; types are added.
UpdateResult update_attrs(Entity& e, ParsedEntity&& p, Millis now);
// PATCH /entities/{id}/attrs/{attrId}: merges into the existing instance; false when missing.
bool partial_update_attr(Entity& e, const AttrInstance& patch, Millis now);
// PUT /entities/{id}/attrs/{attrId}: false when missing.
bool replace_attr(Entity& e, AttrInstance inst, Millis now);

// The rules of the attribute resource (/entities/{id}/attrs/{attrId}); `shown` is the name as
// the request wrote it, for error messages. ResourceNotFound when the attribute (with the
// instance's datasetId) is missing.
// PATCH: merges `patch` into the existing instance, or with `remove` (its value is NGSI-LD Null)
// deletes it; `patch_type`, the type the body names, must be the existing attribute's.
Status patch_attribute(Entity& e, const AttrInstance& patch, bool remove, const std::optional<std::string>& patch_type,
                       std::string_view shown, Millis now);
// PUT: replaces the existing instance.
Status replace_attribute(Entity& e, const AttrInstance& inst, std::string_view shown, Millis now);
// DELETE: the instance of `dataset_id`, or every instance with `all`; "scope" deletes the
// entity's scope.
Status delete_attribute(Entity& e, std::string_view shown, const std::string& name, const std::string& dataset_id,
                        bool all, Millis now);

}  // namespace dejima::model
