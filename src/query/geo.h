// geoQ (clause 4.10): georel + geometry + coordinates (+ geoproperty), evaluated with GEOS.
// near;maxDistance / minDistance are in metres on WGS84: point-to-point distances are
// great-circle (haversine); other shapes are measured in a local equidistant projection centred
// on the query geometry, exact to well under 1 % across a prefecture. Other relations are
// evaluated in longitude/latitude (planar), as GeoJSON defines them.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "model/entity.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::query {

struct GeoBox {
  double min_lon, min_lat, max_lon, max_lat;
};

class GeoQuery {
 public:
  enum class Rel { Near, Within, Contains, Intersects, Disjoint, Equals, Overlaps };

  // georel as sent ("near;maxDistance==500"); geometry ("Point", ...); coordinates as JSON text;
  // geoproperty expanded. Errors are BadRequestData naming the member at fault.
  static Result<std::shared_ptr<GeoQuery>> parse(std::string_view georel, std::string_view geometry,
                                                 std::string_view coordinates, std::string geoproperty);
  ~GeoQuery();
  GeoQuery(const GeoQuery&) = delete;
  GeoQuery& operator=(const GeoQuery&) = delete;

  // True when any instance of the entity's geoproperty satisfies the relation. Not thread-safe:
  // a query is evaluated by one thread at a time.
  bool matches(const model::Entity& e) const;
  // True when `geojson` (a geometry object) satisfies the relation.
  bool matches_geometry(std::string_view geojson) const;
  // True when the point satisfies the relation.
  bool matches_point(double lon, double lat) const;

  // For near: the distance in metres from the query geometry to the nearest instance of the
  // entity's geoproperty (the order of NGSIv2's orderBy=geo:distance); nullopt when it has none
  // or for another relation. Not thread-safe, as matches().
  std::optional<double> distance(const model::Entity& e) const;

  const std::string& property() const { return property_; }
  // Where candidates can be: every matching geometry's bounding box intersects this box; nullopt
  // when no box bounds the answer (disjoint, near with only minDistance).
  std::optional<GeoBox> search_box() const;

 private:
  GeoQuery();
  bool test_value(const json::Value& geometry) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string property_;
};

}  // namespace dejima::query
