#include "model/geojson.h"

namespace dejima::model {
namespace {

std::string position(const json::Value& p) {
  if (!p.IsArray() || p.Size() < 2 || p.Size() > 3) return "a position must be an array of 2 or 3 numbers";
  for (const auto& n : p.GetArray())
    if (!n.IsNumber()) return "a position must be an array of 2 or 3 numbers";
  double lon = p[0].GetDouble(), lat = p[1].GetDouble();
  if (lon < -180 || lon > 180) return "longitude out of range [-180, 180]";
  if (lat < -90 || lat > 90) return "latitude out of range [-90, 90]";
  return {};
}

std::string positions(const json::Value& a, size_t min) {
  if (!a.IsArray()) return "expected an array of positions";
  if (a.Size() < min) return "expected at least " + std::to_string(min) + " positions";
  for (const auto& p : a.GetArray())
    if (auto e = position(p); !e.empty()) return e;
  return {};
}

std::string ring(const json::Value& r) {
  if (auto e = positions(r, 4); !e.empty()) return "polygon ring: " + e;
  const auto& first = r[0];
  const auto& last = r[r.Size() - 1];
  for (rapidjson::SizeType i = 0; i < first.Size() && i < last.Size(); ++i)
    if (first[i].GetDouble() != last[i].GetDouble()) return "polygon ring is not closed";
  return {};
}

std::string polygon(const json::Value& p) {
  if (!p.IsArray() || p.Empty()) return "a polygon must be a non-empty array of linear rings";
  for (const auto& r : p.GetArray())
    if (auto e = ring(r); !e.empty()) return e;
  return {};
}

std::string geometry(const json::Value& v, int depth) {
  if (!v.IsObject() || !v.HasMember("type") || !v["type"].IsString()) return "a geometry needs a \"type\"";
  const std::string_view type = json::view(v["type"]);
  if (type == "GeometryCollection") {
    if (depth > 4) return "GeometryCollection nested too deep";
    if (!v.HasMember("geometries") || !v["geometries"].IsArray()) return "GeometryCollection needs \"geometries\"";
    for (const auto& g : v["geometries"].GetArray())
      if (auto e = geometry(g, depth + 1); !e.empty()) return e;
    return {};
  }
  if (!v.HasMember("coordinates")) return "a " + std::string(type) + " needs \"coordinates\"";
  const auto& c = v["coordinates"];
  if (type == "Point") return position(c);
  if (type == "MultiPoint") return positions(c, 1);
  if (type == "LineString") return positions(c, 2);
  if (type == "MultiLineString") {
    if (!c.IsArray() || c.Empty()) return "MultiLineString needs line strings";
    for (const auto& l : c.GetArray())
      if (auto e = positions(l, 2); !e.empty()) return e;
    return {};
  }
  if (type == "Polygon") return polygon(c);
  if (type == "MultiPolygon") {
    if (!c.IsArray() || c.Empty()) return "MultiPolygon needs polygons";
    for (const auto& p : c.GetArray())
      if (auto e = polygon(p); !e.empty()) return e;
    return {};
  }
  return "unknown geometry type " + std::string(type);
}

}  // namespace

bool is_geometry_type(std::string_view t) {
  return t == "Point" || t == "MultiPoint" || t == "LineString" || t == "MultiLineString" || t == "Polygon" ||
         t == "MultiPolygon" || t == "GeometryCollection";
}

std::string validate_geometry(const json::Value& v) { return geometry(v, 0); }

}  // namespace dejima::model
