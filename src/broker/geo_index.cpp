#include "broker/geo_index.h"

#include <algorithm>
#include <limits>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "util/json.h"

namespace dejima::broker {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Entry = std::pair<Box, std::string_view>;
using Tree = bgi::rtree<Entry, bgi::quadratic<16>>;

constexpr std::string_view kGeoPrefix = R"({"type":"GeoProperty")";

void extend(const json::Value& v, double b[4]) {
  if (!v.IsArray()) return;
  if (v.Size() >= 2 && v[0].IsNumber() && v[1].IsNumber()) {
    b[0] = std::min(b[0], v[0].GetDouble());
    b[1] = std::min(b[1], v[1].GetDouble());
    b[2] = std::max(b[2], v[0].GetDouble());
    b[3] = std::max(b[3], v[1].GetDouble());
    return;
  }
  for (const auto& c : v.GetArray()) extend(c, b);
}

void extend_geometry(const json::Value& g, double b[4], int depth = 0) {
  if (!g.IsObject() || depth > 4) return;
  if (auto c = g.FindMember("coordinates"); c != g.MemberEnd()) extend(c->value, b);
  if (auto gs = g.FindMember("geometries"); gs != g.MemberEnd() && gs->value.IsArray())
    for (const auto& x : gs->value.GetArray()) extend_geometry(x, b, depth + 1);
}

// The (name, box) of every GeoProperty instance of an entity.
std::vector<std::pair<const model::AttrInstance*, Box>> boxes(const model::Entity* e) {
  std::vector<std::pair<const model::AttrInstance*, Box>> out;
  if (!e) return out;
  for (const auto& a : e->attrs) {
    if (!a.json.starts_with(kGeoPrefix) && model::attribute_type(a) != "GeoProperty") continue;
    json::LocalDocument<2048> d;
    if (!json::parse_stored(d.doc, a.json).empty() || !d.doc.IsObject()) continue;
    auto v = d.doc.FindMember("value");
    if (v == d.doc.MemberEnd()) continue;
    double b[4] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
    extend_geometry(v->value, b);
    if (b[0] > b[2]) continue;
    out.emplace_back(&a, Box(Point(b[0], b[1]), Point(b[2], b[3])));
  }
  return out;
}

bool same_geo(const model::Entity* a, const model::Entity* b) {
  auto geo = [](const model::Entity* e) {
    std::vector<const model::AttrInstance*> out;
    if (e)
      for (const auto& x : e->attrs)
        if (x.json.starts_with(kGeoPrefix)) out.push_back(&x);
    return out;
  };
  auto ga = geo(a), gb = geo(b);
  return std::equal(ga.begin(), ga.end(), gb.begin(), gb.end(),
                    [](auto* x, auto* y) { return x->name == y->name && x->json == y->json; });
}

}  // namespace

struct GeoIndex::Trees {
  std::unordered_map<std::string, Tree> by_property;
};

GeoIndex::GeoIndex() : trees_(std::make_unique<Trees>()) {}
GeoIndex::~GeoIndex() = default;

void GeoIndex::update(std::string_view id, const model::Entity* before, const model::Entity* after) {
  // Fast path: most writes leave the geometry alone (only when every GeoProperty is in the
  // parser's layout can the comparison be trusted).
  if (before && after && same_geo(before, after)) {
    bool all_plain = true;
    for (const auto& a : after->attrs)
      if (!a.json.starts_with(kGeoPrefix) && model::attribute_type(a) == "GeoProperty") all_plain = false;
    if (all_plain) return;
  }
  for (const auto& [inst, box] : boxes(before)) {
    auto it = trees_->by_property.find(inst->name);
    if (it == trees_->by_property.end()) continue;
    it->second.remove(Entry(box, id));
    if (it->second.empty()) trees_->by_property.erase(it);
  }
  for (const auto& [inst, box] : boxes(after)) trees_->by_property[inst->name].insert(Entry(box, id));
}

bool GeoIndex::candidates(const std::string& property, const query::GeoBox& box, std::vector<Candidate>& out) const {
  auto it = trees_->by_property.find(property);
  if (it == trees_->by_property.end()) return false;
  const Box q(Point(box.min_lon, box.min_lat), Point(box.max_lon, box.max_lat));
  for (auto e = it->second.qbegin(bgi::intersects(q)); e != it->second.qend(); ++e) {
    const auto& lo = e->first.min_corner();
    const auto& hi = e->first.max_corner();
    out.push_back({e->second, {bg::get<0>(lo), bg::get<1>(lo), bg::get<0>(hi), bg::get<1>(hi)}});
  }
  return true;
}

}  // namespace dejima::broker
