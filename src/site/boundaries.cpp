#include "site/boundaries.h"

#include <fstream>
#include <sstream>

#include "util/json.h"

namespace dejima::site {

Result<Asset> load_boundaries(const std::string& file, const std::vector<Municipality>& members) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::ResourceNotFound, "No boundaries file", file + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  json::Document doc;
  if (auto err = json::parse(doc, text.str()); !err.empty())
    return fail(ErrorKind::BadRequestData, "Invalid boundaries file", file + ": " + err);
  auto* features = doc.IsObject() ? json::member(doc, "features") : nullptr;
  if (!features || !features->IsArray())
    return fail(ErrorKind::BadRequestData, "Invalid boundaries file", file + ": not a GeoJSON FeatureCollection");
  auto& alloc = doc.GetAllocator();
  for (auto& f : features->GetArray()) {
    auto* props = f.IsObject() ? json::member(f, "properties") : nullptr;
    if (!props || !props->IsObject()) continue;
    auto* code5 = json::member(*props, "N03_007");
    if (!code5 || !code5->IsString() || code5->GetStringLength() != 5) continue;
    for (const auto& m : members) {
      if (!m.code.starts_with(json::view(*code5))) continue;
      props->AddMember("code", json::Value(m.code.c_str(), alloc), alloc);
      props->AddMember("tenant", json::Value(m.tenant.c_str(), alloc), alloc);
      props->AddMember("nameJa", json::Value(m.name_ja.c_str(), alloc), alloc);
      props->AddMember("nameEn", json::Value(m.name_en.c_str(), alloc), alloc);
      break;
    }
  }
  return make_asset(json::to_string(doc), "application/geo+json", "no-cache");
}

}  // namespace dejima::site
