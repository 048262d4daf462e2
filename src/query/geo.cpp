#include "query/geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <geos_c.h>

#include "model/geojson.h"
#include "util/json.h"

namespace dejima::query {
namespace {

constexpr double kEarthRadius = 6371008.8;  // mean radius, metres
constexpr double kRad = std::numbers::pi / 180.0;

double haversine(double lon1, double lat1, double lon2, double lat2) {
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

Error bad(const std::string& title, const std::string& detail) {
  return Error{ErrorKind::BadRequestData, title, detail};
}

}  // namespace

struct GeoQuery::Impl {
  GEOSContextHandle_t h = GEOS_init_r();
  GEOSGeoJSONReader* reader = GEOSGeoJSONReader_create_r(h);
  GEOSGeometry* query = nullptr;      // degrees
  GEOSGeometry* projected = nullptr;  // near: metres around (lon0, lat0)
  const GEOSPreparedGeometry* prepared = nullptr;
  Rel rel = Rel::Intersects;
  std::optional<double> max_distance, min_distance;
  bool query_is_point = false;
  double lon0 = 0, lat0 = 0;
  GeoBox envelope{};

  ~Impl() {
    if (prepared) GEOSPreparedGeom_destroy_r(h, prepared);
    if (projected) GEOSGeom_destroy_r(h, projected);
    if (query) GEOSGeom_destroy_r(h, query);
    GEOSGeoJSONReader_destroy_r(h, reader);
    GEOS_finish_r(h);
  }

  static int project_xy(double* x, double* y, void* self) {
    auto* impl = static_cast<Impl*>(self);
    *x = (*x - impl->lon0) * kRad * kEarthRadius * std::cos(impl->lat0 * kRad);
    *y = (*y - impl->lat0) * kRad * kEarthRadius;
    return 1;
  }

  GEOSGeometry* project(const GEOSGeometry* g) { return GEOSGeom_transformXY_r(h, g, &Impl::project_xy, this); }

  bool distance_ok(double d) const {
    return (!max_distance || d <= *max_distance) && (!min_distance || d >= *min_distance);
  }

  bool test(const GEOSGeometry* g) {
    switch (rel) {
      case Rel::Near: {
        GEOSGeometry* p = project(g);
        if (!p) return false;
        double d = 0;
        const bool ok = GEOSDistance_r(h, projected, p, &d) == 1;
        GEOSGeom_destroy_r(h, p);
        return ok && distance_ok(d);
      }
      case Rel::Within: return GEOSPreparedContains_r(h, prepared, g) == 1;
      case Rel::Contains: return GEOSPreparedWithin_r(h, prepared, g) == 1;
      case Rel::Intersects: return GEOSPreparedIntersects_r(h, prepared, g) == 1;
      case Rel::Disjoint: return GEOSPreparedDisjoint_r(h, prepared, g) == 1;
      case Rel::Overlaps: return GEOSPreparedOverlaps_r(h, prepared, g) == 1;
      // The same coordinates are equal even when GEOS cannot compare the shapes topologically
      // (a self-intersecting ring); else topological equality.
      case Rel::Equals: return GEOSEqualsExact_r(h, query, g, 0) == 1 || GEOSEquals_r(h, query, g) == 1;
    }
    return false;
  }
};

GeoQuery::GeoQuery() : impl_(std::make_unique<Impl>()) {}
GeoQuery::~GeoQuery() = default;

Result<std::shared_ptr<GeoQuery>> GeoQuery::parse(std::string_view georel, std::string_view geometry,
                                                  std::string_view coordinates, std::string geoproperty) {
  auto q = std::shared_ptr<GeoQuery>(new GeoQuery());
  Impl& m = *q->impl_;
  q->property_ = std::move(geoproperty);

  // georel: relation [;maxDistance==m][;minDistance==m]
  size_t semi = georel.find(';');
  std::string_view rel = georel.substr(0, semi);
  static constexpr std::pair<std::string_view, Rel> kRels[] = {
      {"near", Rel::Near},         {"within", Rel::Within},
      {"contains", Rel::Contains}, {"intersects", Rel::Intersects},
      {"disjoint", Rel::Disjoint}, {"equals", Rel::Equals},
      {"overlaps", Rel::Overlaps}};
  bool known = false;
  for (const auto& [name, r] : kRels)
    if (rel == name) m.rel = r, known = true;
  if (!known) return std::unexpected(bad("Invalid georel", "unknown relation '" + std::string(rel) + "'"));
  while (semi != std::string_view::npos) {
    std::string_view rest = georel.substr(semi + 1);
    semi = rest.find(';');
    std::string_view mod = rest.substr(0, semi);
    if (semi != std::string_view::npos) semi += georel.size() - rest.size();
    auto eq = mod.find("==");
    std::string_view key = mod.substr(0, eq);
    if (m.rel != Rel::Near || eq == std::string_view::npos || (key != "maxDistance" && key != "minDistance"))
      return std::unexpected(
          bad("Invalid georel", "'" + std::string(mod) + "' is not maxDistance==m or minDistance==m after near"));
    std::string num(mod.substr(eq + 2));
    char* end = nullptr;
    const double d = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !std::isfinite(d) || d < 0)
      return std::unexpected(bad("Invalid georel", std::string(key) + " must be a non-negative number of metres"));
    (key == "maxDistance" ? m.max_distance : m.min_distance) = d;
  }
  if (m.rel == Rel::Near && !m.max_distance && !m.min_distance)
    return std::unexpected(bad("Invalid georel", "near needs maxDistance==m or minDistance==m"));

  // geometry + coordinates -> a validated GeoJSON geometry
  static constexpr std::string_view kTypes[] = {"Point",           "MultiPoint", "LineString",
                                                "MultiLineString", "Polygon",    "MultiPolygon"};
  if (std::find(std::begin(kTypes), std::end(kTypes), geometry) == std::end(kTypes))
    return std::unexpected(
        bad("Invalid geometry",
            "geometry must be Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon"));
  const std::string text =
      "{\"type\":\"" + std::string(geometry) + "\",\"coordinates\":" + std::string(coordinates) + "}";
  json::Document d;
  if (auto err = json::parse(d, text); !err.empty())
    return std::unexpected(bad("Invalid coordinates", "coordinates must be a JSON array: " + err));
  if (auto err = model::validate_geometry(d); !err.empty()) return std::unexpected(bad("Invalid coordinates", err));
  m.query = GEOSGeoJSONReader_readGeometry_r(m.h, m.reader, text.c_str());
  if (!m.query) return std::unexpected(bad("Invalid coordinates", "not a valid " + std::string(geometry)));
  m.query_is_point = geometry == "Point";
  GEOSGeom_getXMin_r(m.h, m.query, &m.envelope.min_lon);
  GEOSGeom_getYMin_r(m.h, m.query, &m.envelope.min_lat);
  GEOSGeom_getXMax_r(m.h, m.query, &m.envelope.max_lon);
  GEOSGeom_getYMax_r(m.h, m.query, &m.envelope.max_lat);
  m.lon0 = (m.envelope.min_lon + m.envelope.max_lon) / 2;
  m.lat0 = (m.envelope.min_lat + m.envelope.max_lat) / 2;
  if (m.rel == Rel::Near) {
    m.projected = m.project(m.query);
    if (!m.projected) return std::unexpected(bad("Invalid coordinates", "cannot project the geometry"));
  } else {
    m.prepared = GEOSPrepare_r(m.h, m.query);
  }
  return q;
}

bool GeoQuery::matches_point(double lon, double lat) const {
  Impl& m = *impl_;
  if (m.rel == Rel::Near && m.query_is_point) return m.distance_ok(haversine(m.lon0, m.lat0, lon, lat));
  GEOSGeometry* p = GEOSGeom_createPointFromXY_r(m.h, lon, lat);
  if (!p) return false;
  const bool ok = m.test(p);
  GEOSGeom_destroy_r(m.h, p);
  return ok;
}

bool GeoQuery::test_value(const json::Value& g) const {
  // Points, the common case, skip GeoJSON parsing in GEOS.
  if (auto t = g.FindMember("type"); t != g.MemberEnd() && t->value.IsString() && json::view(t->value) == "Point") {
    auto c = g.FindMember("coordinates");
    if (c == g.MemberEnd() || !c->value.IsArray() || c->value.Size() < 2 || !c->value[0].IsNumber() ||
        !c->value[1].IsNumber())
      return false;
    return matches_point(c->value[0].GetDouble(), c->value[1].GetDouble());
  }
  Impl& m = *impl_;
  const std::string text = json::to_string(g);
  GEOSGeometry* geom = GEOSGeoJSONReader_readGeometry_r(m.h, m.reader, text.c_str());
  if (!geom) return false;
  const bool ok = m.test(geom);
  GEOSGeom_destroy_r(m.h, geom);
  return ok;
}

bool GeoQuery::matches_geometry(std::string_view geojson) const {
  json::Document d;
  if (!json::parse(d, geojson).empty() || !d.IsObject()) return false;
  return test_value(d);
}

bool GeoQuery::matches(const model::Entity& e) const {
  for (const auto& inst : e.attrs) {
    if (inst.name != property_) continue;
    json::LocalDocument<2048> d;
    if (!json::parse_stored(d.doc, inst.json).empty() || !d.doc.IsObject()) continue;
    auto v = d.doc.FindMember("value");
    if (v != d.doc.MemberEnd() && v->value.IsObject() && test_value(v->value)) return true;
  }
  return false;
}

std::optional<double> GeoQuery::distance(const model::Entity& e) const {
  Impl& m = *impl_;
  if (m.rel != Rel::Near) return std::nullopt;
  std::optional<double> nearest;
  for (const auto& inst : e.attrs) {
    if (inst.name != property_) continue;
    json::LocalDocument<2048> d;
    if (!json::parse_stored(d.doc, inst.json).empty() || !d.doc.IsObject()) continue;
    auto v = d.doc.FindMember("value");
    if (v == d.doc.MemberEnd() || !v->value.IsObject()) continue;
    const std::string text = json::to_string(v->value);
    GEOSGeometry* geom = GEOSGeoJSONReader_readGeometry_r(m.h, m.reader, text.c_str());
    if (!geom) continue;
    double metres = 0;
    bool ok = false;
    if (m.query_is_point && GEOSGeomTypeId_r(m.h, geom) == GEOS_POINT) {
      double lon = 0, lat = 0;
      ok = GEOSGeomGetX_r(m.h, geom, &lon) == 1 && GEOSGeomGetY_r(m.h, geom, &lat) == 1;
      metres = haversine(m.lon0, m.lat0, lon, lat);
    } else if (GEOSGeometry* p = m.project(geom)) {
      ok = GEOSDistance_r(m.h, m.projected, p, &metres) == 1;
      GEOSGeom_destroy_r(m.h, p);
    }
    GEOSGeom_destroy_r(m.h, geom);
    if (ok && (!nearest || metres < *nearest)) nearest = metres;
  }
  return nearest;
}

std::optional<GeoBox> GeoQuery::search_box() const {
  const Impl& m = *impl_;
  if (m.rel == Rel::Disjoint || (m.rel == Rel::Near && !m.max_distance)) return std::nullopt;
  GeoBox b = m.envelope;
  if (m.rel == Rel::Near) {
    const double dlat = *m.max_distance / (kEarthRadius * kRad) * 1.01;
    const double coslat =
        std::max(0.01, std::cos(std::max(std::abs(b.min_lat), std::abs(b.max_lat)) * kRad + dlat * kRad));
    const double dlon = dlat / coslat;
    b = {b.min_lon - dlon, b.min_lat - dlat, b.max_lon + dlon, b.max_lat + dlat};
  }
  return b;
}

}  // namespace dejima::query
