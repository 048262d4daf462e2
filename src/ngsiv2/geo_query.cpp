#include "ngsiv2/geo_query.h"

#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include "model/name.h"
#include "ngsiv2/request_context.h"
#include "query/geo.h"

namespace dejima::ngsiv2 {
namespace {

Error invalid(std::string text) { return bad_request("Invalid query: " + std::move(text)); }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool number(std::string_view s, double& out) {
  s = trimmed(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

// "lat,lon;lat,lon" → (lon, lat) pairs
Result<std::vector<std::pair<double, double>>> points(std::string_view coords) {
  std::vector<std::pair<double, double>> out;
  size_t start = 0;
  while (start <= coords.size()) {
    size_t semi = coords.find(';', start);
    if (semi == std::string_view::npos) semi = coords.size();
    std::string_view p = coords.substr(start, semi - start);
    size_t comma = p.find(',');
    double lat, lon;
    if (comma == std::string_view::npos || p.find(',', comma + 1) != std::string_view::npos)
      return std::unexpected(invalid("invalid point in URI param /coords/"));
    if (!number(p.substr(0, comma), lat) || !number(p.substr(comma + 1), lon) || std::fabs(lat) > 90 ||
        std::fabs(lon) > 180)
      return std::unexpected(invalid("invalid coordinates"));
    out.emplace_back(lon, lat);
    start = semi + 1;
  }
  return out;
}

std::string coordinates_json(const std::vector<std::pair<double, double>>& pts, std::string_view shape) {
  auto pair = [](const std::pair<double, double>& p) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "[%.10g,%.10g]", p.first, p.second);
    return std::string(buf);
  };
  if (shape == "point") return pair(pts[0]);
  std::string out = "[";
  for (size_t i = 0; i < pts.size(); ++i) out += (i ? "," : "") + pair(pts[i]);
  out += "]";
  return shape == "line" ? out : "[" + out + "]";
}

// Orion's georel into the NGSI-LD one: near;maxDistance:d;minDistance:d, coveredBy, intersects,
// equals, disjoint.
Result<std::string> georel_of(std::string_view georel, std::string_view shape) {
  size_t semi = georel.find(';');
  std::string_view rel = georel.substr(0, semi);
  if (rel == "near") {
    if (shape != "point") return std::unexpected(invalid("georel /near/ used with geometry different than point"));
    std::string out = "near";
    bool distance = false;
    while (semi != std::string_view::npos) {
      size_t next = georel.find(';', semi + 1);
      std::string_view mod = georel.substr(semi + 1, next == std::string_view::npos ? next : next - semi - 1);
      size_t colon = mod.find(':');
      double d;
      std::string_view name = mod.substr(0, colon);
      if (colon == std::string_view::npos || (name != "maxDistance" && name != "minDistance") ||
          !number(mod.substr(colon + 1), d))
        return std::unexpected(invalid("Invalid modifier in georel parameter"));
      out += ";" + std::string(name) + "==" + std::string(trimmed(mod.substr(colon + 1)));
      distance = true;
      semi = next;
    }
    if (!distance) return std::unexpected(invalid("georel /near/ without either minDistance nor maxDistance"));
    return out;
  }
  if (semi != std::string_view::npos) return std::unexpected(invalid("Invalid modifier in georel parameter"));
  if (rel == "coveredBy") {
    if (shape == "point" || shape == "line")
      return std::unexpected(invalid(std::string(shape) + " geometry cannot be used with coveredBy georel"));
    return std::string("within");
  }
  if (rel == "intersects" || rel == "equals" || rel == "disjoint") return std::string(rel);
  return std::unexpected(invalid("Invalid georel"));
}

// The query of one georel/geometry/coords, made for each name of location attribute met (an
// NGSIv2 entity has one, of any name). Not thread-safe: one query is evaluated by one thread.
struct LocationQuery {
  std::string rel, geometry, coordinates;
  std::map<std::string, std::shared_ptr<query::GeoQuery>> by_name;

  const query::GeoQuery* of(const model::Entity& e) {
    for (const auto& a : e.attrs) {
      if (!a.json.starts_with(R"({"type":"GeoProperty")")) continue;
      auto& q = by_name[a.name];
      if (!q) q = *query::GeoQuery::parse(rel, geometry, coordinates, a.name);  // checked when made
      return q.get();
    }
    return nullptr;
  }
};

Result<std::shared_ptr<LocationQuery>> location_query(const std::string* georel, const std::string* geometry,
                                                      const std::string* coords) {
  if (!georel && !geometry && !coords) return nullptr;
  if (geometry && !coords) return std::unexpected(invalid("URI param /geometry/ used without /coords/"));
  if (coords && !geometry) return std::unexpected(invalid("URI param /coords/ used without /geometry/"));
  if (!geometry) return std::unexpected(invalid("URI param /georel/ used without /geometry/"));
  const std::string& shape = *geometry;
  if (shape != "point" && shape != "line" && shape != "box" && shape != "polygon")
    return std::unexpected(invalid("error parsing geometry: Invalid selector in geometry specification"));
  auto pts = points(*coords);
  if (!pts) return std::unexpected(pts.error());
  const size_t n = pts->size();
  if (shape == "point" && n != 1) return std::unexpected(invalid("invalid number of coordinates for /point/"));
  if (shape == "line" && n < 2) return std::unexpected(invalid("invalid number of coordinates for /line/"));
  if (shape == "box" && n != 2) return std::unexpected(invalid("invalid number of coordinates for /box/"));
  if (shape == "polygon" && n < 4) return std::unexpected(invalid("Too few coordinates for polygon"));
  if (shape == "box") {
    auto [x1, y1] = (*pts)[0];
    auto [x2, y2] = (*pts)[1];
    if (x1 == x2 || y1 == y2) return std::unexpected(invalid("box coordinates are not defining an actual box"));
    *pts = {{x1, y1}, {x2, y1}, {x2, y2}, {x1, y2}, {x1, y1}};
  }
  auto rel = georel_of(georel ? *georel : "intersects", shape);
  if (!rel) return std::unexpected(rel.error());
  const std::string ld_geometry = shape == "point" ? "Point" : shape == "line" ? "LineString" : "Polygon";
  const std::string coordinates = coordinates_json(*pts, shape == "box" ? "polygon" : shape);
  auto probe = query::GeoQuery::parse(*rel, ld_geometry, coordinates, "location");
  if (!probe)
    return std::unexpected(invalid(probe.error().detail.empty() ? probe.error().title : probe.error().detail));
  auto q = std::make_shared<LocationQuery>();
  q->rel = std::move(*rel);
  q->geometry = ld_geometry;
  q->coordinates = coordinates;
  return q;
}

}  // namespace

Result<GeoTest> geo_test(const std::string* georel, const std::string* geometry, const std::string* coords) {
  auto q = location_query(georel, geometry, coords);
  if (!q) return std::unexpected(q.error());
  if (!*q) return GeoTest();
  return GeoTest([q = *q](const model::Entity& e) {
    const query::GeoQuery* g = q->of(e);
    return g && g->matches(e);
  });
}

Result<GeoDistance> geo_distance(const std::string* georel, const std::string* geometry, const std::string* coords) {
  auto q = location_query(georel, geometry, coords);
  if (!q) return std::unexpected(q.error());
  if (!*q) return GeoDistance();
  return GeoDistance([q = *q](const model::Entity& e) -> std::optional<double> {
    const query::GeoQuery* g = q->of(e);
    return g ? g->distance(e) : std::nullopt;
  });
}

}  // namespace dejima::ngsiv2
