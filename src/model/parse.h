// NGSI-LD input (normalized or concise) -> validated internal form (clause 4 data model).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "jsonld/context.h"
#include "model/entity.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::model {

enum class ParseMode {
  Create,            // id and type required
  Replace,           // PUT /entities/{id}: id optional (must match), type required
  Fragment,          // attribute fragments: id and type optional; an attribute whose value is
                     // "urn:ngsi-ld:null" goes to `nulls` (to delete)
  MergePatch,        // like Fragment (PATCH /entities/{id})
  Temporal,          // a temporal representation: id and type required, an attribute's array
                     // holds instances over time (a datasetId may repeat)
  TemporalFragment,  // the same, id and type optional
};

inline constexpr std::string_view kNull = "urn:ngsi-ld:null";

struct ParsedEntity {
  std::optional<std::string> id;
  std::vector<Name> types;  // expanded
  std::optional<std::vector<std::string>> scopes;
  std::vector<AttrInstance> attrs;  // instances without timestamps
  std::vector<AttrInstance> nulls;  // name + datasetId to delete (Fragment, MergePatch)
};

Result<ParsedEntity> parse_entity(const json::Value& body, const jsonld::Context& ctx, ParseMode mode);

// One attribute's value (object, or array of instances) under an expanded name. With allow_null,
// instances whose value is urn:ngsi-ld:null are returned in `nulls`. With partial, type and value
// may be missing (a fragment to merge into an existing instance). With over_time, an array holds
// instances over time and a datasetId may repeat.
Status parse_attribute(const std::string& expanded_name, const json::Value& v, const jsonld::Context& ctx,
                       bool allow_null, std::vector<AttrInstance>& out, std::vector<AttrInstance>* nulls,
                       bool partial = false, bool over_time = false);

// Merges a patch instance into an existing one (members replace members; sub-attributes whose
// value is urn:ngsi-ld:null are removed). Both are internal-form JSON.
std::string merge_instance(std::string_view old_json, std::string_view patch_json);

// Attribute and type names: non-empty, no whitespace or characters forbidden by clause 4.6.2.
bool valid_name(std::string_view name);

}  // namespace dejima::model
