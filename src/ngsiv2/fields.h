// The members Orion's subscription and registration parsers share: optional strings, booleans
// and integers with Orion's texts, name lists, entity selectors, provider URLs, forbidden
// characters and Orion's object ids.
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/json.h"

namespace dejima::ngsiv2 {

// An entity selector as given ("" = absent).
struct EntitySpec {
  std::string id, id_pattern, type, type_pattern;
};

std::unexpected<Error> bad(std::string text);  // 400 BadRequest with Orion's text

// Orion's forbidden characters (descriptions, names); ids and types: printable ASCII too.
bool forbidden(std::string_view s);
bool forbidden_name(std::string_view s);

// Optional members: absent is fine (`given` false), another JSON type is "<what> is not a ...".
Status opt_string(const json::Value& v, const char* name, std::string_view what, std::string& out, bool& given);
Status opt_bool(const json::Value& v, const char* name, bool& out);
Status opt_int(const json::Value& v, const char* name, std::int64_t& out, bool& given);

// A list of attribute (or metadata, alteration type) names: strings, not empty, no duplicates.
Status string_vector(const json::Value& v, const std::string& field, std::vector<std::string>& out);

// An `entities` array of selectors, with Orion's checks in its order.
Status parse_entities(const json::Value& v, std::vector<EntitySpec>& out);

// Orion's parseUrl: http(s)://host[:port][/path].
bool valid_url(std::string_view url);

// A new id: 24 hex digits, in creation order (seconds, then a per-process counter), as Orion's
// MongoDB object ids.
std::string new_object_id();

}  // namespace dejima::ngsiv2
