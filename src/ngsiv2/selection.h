// Which entities an NGSIv2 query or subscription selects: entity selectors (id or idPattern,
// type or typePattern), the Simple Query Language and a geographical query, as the shared
// query::Filter the broker evaluates.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/entity.h"
#include "ngsiv2/geo_query.h"
#include "ngsiv2/simple_query.h"
#include "query/filter.h"
#include "util/regex.h"

namespace dejima::ngsiv2 {

// One entity selector: id or idPattern, type or typePattern.
struct Item {
  std::vector<std::string> ids;
  std::shared_ptr<const Regex> id_pattern;
  std::vector<std::string> types;  // expanded
  std::shared_ptr<const Regex> type_pattern;
  bool matches(const model::Entity& e) const;
};

// Orion's 400 for an invalid regular expression in `what` (idPattern, typePattern).
Result<std::shared_ptr<const Regex>> pattern(std::string_view text, std::string_view what);

// The selector the URL parameters (or a body's entity item) name; each may be missing.
Result<Item> item_of(const std::string* id, const std::string* id_pattern, const std::string* type,
                     const std::string* type_pattern);

struct Selection {
  std::vector<Item> items;  // any of them; none: every entity
  SimpleQuery q;
  GeoTest geo;
};

// Whether an entity is in the service paths a query or subscription names.
using PathTest = std::function<bool(const model::Entity&)>;

// The shared filter: selectors where the broker's indexes can use them, and what only NGSIv2
// knows (service paths, type patterns, absent attributes) as the filter's predicate.
Result<query::Filter> filter_of(const Selection& sel, PathTest in_paths,
                                std::optional<std::vector<std::string>> readable_types);

}  // namespace dejima::ngsiv2
