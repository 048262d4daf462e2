// NGSIv2 geographical queries (georel, geometry, coords) as the shared query::GeoQuery: Orion's
// `near;maxDistance:1000` becomes `near;maxDistance==1000`, `coveredBy` `within`, `coords`
// ("lat,lon;lat,lon") GeoJSON coordinates (lon,lat), a `box` its rectangle. An NGSIv2 entity has one
// location attribute, whatever its name, so the query tests the entity's GeoProperty.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/entity.h"
#include "util/error.h"

namespace dejima::ngsiv2 {

// The parts as given (each may be missing); nullptr when none is given.
using GeoTest = std::function<bool(const model::Entity&)>;
Result<GeoTest> geo_test(const std::string* georel, const std::string* geometry, const std::string* coords);

// For `near`: the distance in metres from the point to the entity's location (orderBy=geo:distance);
// nullopt for an entity without one, or for another georel. nullptr when no part is given.
using GeoDistance = std::function<std::optional<double>(const model::Entity&)>;
Result<GeoDistance> geo_distance(const std::string* georel, const std::string* geometry, const std::string* coords);

}  // namespace dejima::ngsiv2
