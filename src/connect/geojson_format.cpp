// GeoJSON (RFC 7946) FeatureCollection, e.g. GSI 指定緊急避難場所・指定避難所: each feature one
// entity, its properties mapped like CSV columns, its geometry the GeoProperty `location`.
#include <map>

#include "connect/encoding.h"
#include "connect/format.h"
#include "connect/row_mapper.h"
#include "model/geojson.h"
#include "util/json.h"

namespace dejima::connect {
namespace {

std::string text_of(const json::Value& v) {
  if (v.IsString()) return std::string(json::view(v));
  if (v.IsNull()) return {};
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  return json::to_string(v);
}

class GeoJsonFormat final : public Format {
 public:
  std::string_view name() const override { return "geojson"; }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    auto decoded = to_utf8(bytes, o.encoding);
    if (!decoded) return std::unexpected(decoded.error());
    json::Document doc;
    if (auto err = json::parse(doc, decoded->text); !err.empty())
      return fail(ErrorKind::BadRequestData, "Invalid GeoJSON", err);
    std::vector<const json::Value*> features;
    if (doc.IsObject() && doc.HasMember("features") && doc["features"].IsArray()) {
      for (const auto& f : doc["features"].GetArray()) features.push_back(&f);
    } else if (doc.IsObject() && doc.HasMember("type") && doc["type"] == "Feature") {
      features.push_back(&doc);
    } else {
      return fail(ErrorKind::BadRequestData, "Invalid GeoJSON", "expected a FeatureCollection or a Feature");
    }
    // The columns: every property name, in the order first seen.
    std::vector<std::string> header;
    std::map<std::string, size_t, std::less<>> column;
    for (const auto* f : features)
      if (f->IsObject() && f->HasMember("properties") && (*f)["properties"].IsObject())
        for (const auto& m : (*f)["properties"].GetObject())
          if (column.emplace(std::string(json::view(m.name)), header.size()).second)
            header.emplace_back(json::view(m.name));
    RowMapper mapper(header, o, sink);
    std::vector<std::string> values;
    for (size_t n = 0; n < features.size(); ++n) {
      const json::Value& f = *features[n];
      const size_t where = n + 1;
      auto reject = [&](std::string why, std::string id = {}) {
        sink.reject({where, std::move(why), cut_row(json::to_string(f)), std::move(id)});
      };
      if (!f.IsObject() || !f.HasMember("type") || f["type"] != "Feature") {
        reject("not a Feature");
        continue;
      }
      values.assign(header.size(), std::string());
      if (f.HasMember("properties") && f["properties"].IsObject())
        for (const auto& m : f["properties"].GetObject())
          values[column.find(json::view(m.name))->second] = text_of(m.value);
      std::string geometry;
      if (f.HasMember("geometry") && !f["geometry"].IsNull()) {
        if (auto why = model::validate_geometry(f["geometry"]); !why.empty()) {
          reject("invalid geometry: " + why, mapper.id_of(values));
          continue;
        }
        geometry = json::to_string(f["geometry"]);
      }
      auto e = mapper.entity(values, geometry, where);
      if (!e)
        reject(e.error(), mapper.id_of(values));
      else
        sink.entity(std::move(*e));
      if (where % 4096 == 0) sink.progress(where, features.size());
    }
    sink.progress(features.size(), features.size());
    return {};
  }
};

}  // namespace

const Format& geojson_format() {
  static const GeoJsonFormat f;
  return f;
}

}  // namespace dejima::connect
