// NGSIv2 entities: a request body into the model's parsed entity, and an entity into the
// representations Orion renders (normalized, keyValues, values, unique).
#pragma once
#include <string>
#include <vector>

#include "model/entity.h"
#include "model/parse.h"
#include "ngsiv2/attribute.h"
#include "ngsiv2/update_operators.h"

namespace dejima::ngsiv2 {

inline constexpr std::string_view kDefaultType = "Thing";  // Orion's type for an entity sent without one

enum class BodyKind {
  Entity,  // {"id", "type"?, attributes...}: POST /v2/entities, an op/update entity
  Attrs,   // attributes only: /v2/entities/{id}/attrs
};

// Parses a body; `path` is the service path the entity is written to ("/": no NGSI-LD scope).
// Attributes whose value is an update operator are listed in `ops` (their instances hold the
// operator object until resolve_operators replaces them).
Result<model::ParsedEntity> parse_entity(const json::Value& body, BodyKind kind, bool key_values,
                                         const std::string& path, AttrOps* ops = nullptr);

enum class Format { Normalized, KeyValues, Values, Unique };

// What a response shows of each entity: `attrs` (v2 names, empty: every attribute; "*" every one
// plus the built-ins named beside it), in that order when given.
struct View {
  Format format = Format::Normalized;
  std::vector<std::string> attrs;
  MetadataFilter metadata;
  bool shows(std::string_view name) const;
  bool builtin(std::string_view name) const;  // dateCreated, dateModified: only when named
  // Every attribute with all its metadata, normalized or keyValues: the bodies each entity
  // caches (model::RenderCache), since they are what clients mostly ask for.
  bool is_default() const;
};

// Parses attrs, metadata and options (keyValues, values, unique; dateCreated/dateModified as
// the built-ins), the parameters every read shares.
Result<View> view_of(const std::string* attrs, const std::string* metadata, const std::string* options);

std::string entity_type(const model::Entity& e);
// The instance NGSIv2 shows of each attribute: the default one (no datasetId), else the first.
std::vector<const model::AttrInstance*> shown_attributes(const model::Entity& e);

// The entity (id and type unless attrs_only) in the view's format.
void write_entity(json::Writer& w, const model::Entity& e, const View& v, bool attrs_only = false);

}  // namespace dejima::ngsiv2
