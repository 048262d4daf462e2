// One NGSIv2 attribute ({"type", "value", "metadata"}) and the model's attribute instance it is
// (docs/NGSIV2.md lists the mapping row by row): values keep their JSON, a declared type that the
// value does not imply is kept as the instance's `valueType`, `DateTime` values become
// {"@type": "DateTime", "@value": ...}, `geo:*` values GeoProperties, `Relationship` to a URI a
// Relationship, and metadata sub-attributes (`observedAt` and `unitCode` their NGSI-LD members).
// Names are expanded and compacted with the core @context (the default vocabulary).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/entity.h"
#include "model/parse.h"
#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::ngsiv2 {

// Orion's checks of ids, types and names: not empty, at most 256 characters, none that
// has_forbidden_id_chars finds. `what` is "entity id", "entity type", "attribute name",
// "attribute type", "metadata name" or "metadata type".
Status check_name(std::string_view what, std::string_view s);

// Characters Orion refuses in names and text values: <>"'=;()
bool forbidden_in_text(char ch);
// Orion's rule for ids, types and names, in bodies and in a URL path (where it answers 400
// `invalid character in URI`): printable ASCII, none of <>"'=;() nor &?/#. Two exceptions keep
// what NGSI-LD writes reachable: an absolute IRI (a name with ':') may hold &?/#, and in a URL path
// (`in_path`) non-ASCII letters are looked up rather than refused.
bool has_forbidden_id_chars(std::string_view s, bool in_path = false);

// Orion's DateTime: ISO 8601 with or without a zone (UTC when none), the time shortened to hh or
// hh:mm or written without colons (hhmmss), or a date alone.
std::optional<Millis> orion_date(std::string_view s);

// The v2 name of an expanded attribute name, and back.
std::string v2_name(std::string_view expanded);
std::string expanded_name(std::string_view v2);

// An attribute of a request body: an object {"type"?, "value"?, "metadata"?}, or with keyValues
// the bare value. The instance has no timestamps yet.
Result<model::AttrInstance> parse_attribute(std::string_view name, const json::Value& v, bool key_values);

// A value as PUT /attrs/{name}/value gives it, keeping the attribute's declared type when the
// value is still of it.
Result<model::AttrInstance> parse_value(const model::AttrInstance& current, const json::Value& value);

// Keeps the metadata of `old` that `next` does not set (Orion's update of an attribute).
void keep_metadata(model::AttrInstance& next, const model::AttrInstance& old);
// The same for each attribute of `p` that `e` already has.
void keep_metadata(const model::Entity& e, model::ParsedEntity& p);

// Which metadata a response shows: every one, or those named; the built-ins (dateCreated,
// dateModified) only when named.
struct MetadataFilter {
  bool all = true;
  std::vector<std::string> names;
  bool shows(std::string_view name) const;
  bool builtin(std::string_view name) const;
};

std::string type_of(const model::AttrInstance& a);
// {"type", "value", "metadata"}
void write_attribute(json::Writer& w, const model::AttrInstance& a, const MetadataFilter& m);
// The value alone (keyValues, values, /value).
void write_value(json::Writer& w, const model::AttrInstance& a);

}  // namespace dejima::ngsiv2
