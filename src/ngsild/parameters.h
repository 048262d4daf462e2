// The URL query parameters each NGSI-LD operation takes, in groups. An operation that declares
// its groups (Expect::params) answers any other parameter with 400 InvalidRequest (clause
// 6.3.20), so that a misspelt `limt=5` or an unsupported `orderBy` is never silently ignored.
#pragma once
#include <array>
#include <span>
#include <string_view>

namespace dejima::ngsild {

using ParamGroup = std::span<const std::string_view>;

// Entity selection: GET /entities, purge, the temporal query.
inline constexpr std::string_view kSelectionParams[] = {
    "type", "id", "idPattern", "attrs", "q", "scopeQ", "georel", "geometry", "coordinates", "geoproperty", "local"};
// Pagination of a query.
inline constexpr std::string_view kPageParams[] = {"limit", "offset", "count"};
// Sorting the matches of a query (order_by.h).
inline constexpr std::string_view kOrderParam[] = {"orderBy"};
// How entities are shown: representation, projection, language, datasets, linked entities.
inline constexpr std::string_view kRepresentationParams[] = {"options", "format",    "attrs",       "pick",
                                                             "omit",    "lang",      "datasetId",   "geometryProperty",
                                                             "join",    "joinLevel", "containedBy", "local"};
// How the temporal API shows entities.
inline constexpr std::string_view kTemporalRepresentationParams[] = {"options", "format", "attrs", "local"};
// The temporal API's time and aggregation parameters.
inline constexpr std::string_view kTemporalParams[] = {"timerel", "timeAt",      "endTimeAt",         "timeproperty",
                                                       "lastN",   "aggrMethods", "aggrPeriodDuration"};
// Retrieving one entity: a type check besides the representation.
inline constexpr std::string_view kRetrieveParams[] = {"type"};
// Purge: attributes to keep or drop.
inline constexpr std::string_view kPurgeParams[] = {"keep", "drop"};
// Type and attribute discovery.
inline constexpr std::string_view kDiscoveryParams[] = {"details", "local"};
// Writes that take no parameter but the distributed-operation flag.
inline constexpr std::string_view kLocalParam[] = {"local"};

struct ParamGroups {
  std::array<ParamGroup, 4> groups{};
  bool checked = false;  // false: the operation's parameters are not checked
};

template <class... G>
constexpr ParamGroups params(const G&... g) {
  return ParamGroups{{ParamGroup(g)...}, true};
}

}  // namespace dejima::ngsild
