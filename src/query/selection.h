// The entity selection of a query, parsed from its textual parts with the request's @context:
// type and scopeQ expressions, entity ids, attrs lists, geoQ, and the members shared by a Query
// body and a Subscription (entities, q, scopeQ, geoQ). ngsild/ reads them from URL parameters
// and bodies; subscription/ from a Subscription.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jsonld/context.h"
#include "query/filter.h"
#include "util/json.h"

namespace dejima::query {

// "a,b,,c" -> {a, b, c}: the comma-separated lists of URL parameters.
std::vector<std::string> split_list(std::string_view s);

// A `type` expression with each type name checked and expanded.
Result<Names> type_expression(std::string_view text, const jsonld::Context& ctx);
// A scopeQ expression with each pattern checked.
Result<Names> scope_expression(std::string_view text);
// Appends a comma-separated list of entity ids; 400 for one that is not a URI.
Status add_ids(std::string_view list, std::vector<std::string>& out);
// Appends the expanded names of a comma-separated attribute list; 400 for an invalid name.
Status add_attrs(std::string_view list, const jsonld::Context& ctx, std::vector<std::string>& out);
// georel, geometry, coordinates and geoproperty (default location) as given; null when none is.
Result<std::shared_ptr<GeoQuery>> geo_query(const std::string* georel, const std::string* geometry,
                                            const std::string* coordinates, const std::string* geoproperty,
                                            const jsonld::Context& ctx);
// The entity selection members shared by a Query and a Subscription: entities, q, scopeQ, geoQ.
Status selection_from_object(const json::Value& body, const jsonld::Context& ctx, Filter& f);

}  // namespace dejima::query
