// Orion's orderBy: "a,!b" — attributes (by value in Orion's database order, value_order.h; an
// entity without the attribute sorts as a null: first, or last with "!"), `id`, `type`,
// `servicePath`, `dateCreated`, `dateModified`, and `geo:distance` (first token only: nearest
// first for a `near` query; any other token is then ignored, as in Orion).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "ngsiv2/geo_query.h"
#include "util/error.h"

namespace dejima::ngsiv2 {

struct OrderKey {
  std::string name;  // as given without "!": a v2 attribute name or one of the keywords above
  bool descending = false;
};
using Order = std::vector<OrderKey>;

// The keys; a name given twice (with or without "!") is 400 "duplicate orderBy token detected".
Result<Order> parse_order_by(std::string_view text);

// Sorts stably (ties keep their order). `distance`: the near query's, for geo:distance.
void sort_entities(std::vector<broker::EntityPtr>& entities, const Order& order, const GeoDistance& distance);

}  // namespace dejima::ngsiv2
