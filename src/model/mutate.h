// The NGSI-LD write operations on one entity (clause 5.6), as pure functions on the model.
#pragma once
#include <string>
#include <vector>

#include "model/entity.h"
#include "model/parse.h"

namespace dejima::model {

struct UpdateResult {
  std::vector<std::string> updated;                               // expanded names
  std::vector<std::pair<std::string, std::string>> not_updated;   // expanded name, reason
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
// PATCH /entities/{id}/attrs: only existing attribute instances (and an existing scope) are
// replaced; types are added.
UpdateResult update_attrs(Entity& e, ParsedEntity&& p, Millis now);
// PATCH /entities/{id}/attrs/{attrId}: merges into the existing instance; false when missing.
bool partial_update_attr(Entity& e, const AttrInstance& patch, Millis now);
// PUT /entities/{id}/attrs/{attrId}: false when missing.
bool replace_attr(Entity& e, AttrInstance inst, Millis now);

}  // namespace dejima::model
