// The municipal boundaries layer of the map (/dejima/v1/map/boundaries): a GeoJSON file of
// 国土数値情報 N03 (one feature per municipality, N03_007 = the 5-digit code), each feature
// given the registry's names for it: `code` (6-digit 全国地方公共団体コード), `tenant`, `nameJa`,
// `nameEn`.
#pragma once
#include <string>
#include <vector>

#include "site/asset.h"
#include "util/error.h"

namespace dejima::site {

struct Municipality {
  std::string code;  // 6 digits
  std::string tenant, name_ja, name_en;
};

// Reads and annotates the file; refuses what is not a GeoJSON FeatureCollection.
Result<Asset> load_boundaries(const std::string& file, const std::vector<Municipality>& members);

}  // namespace dejima::site
