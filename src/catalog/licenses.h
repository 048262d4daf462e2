// The licences a dataset may be published under: the ones Japanese open-data catalogs use
// (BODIK's CKAN list, the 政府標準利用規約) plus the closed one for data that is not open.
#pragma once
#include <string>
#include <vector>

namespace dejima::catalog {

struct License {
  std::string id, title, url;
  bool open = true;  // okd-compliant
};

const std::vector<License>& licenses();
// The licence with this id; the default (CC BY 4.0) for "" and unknown ids.
const License& license(std::string_view id);
inline constexpr std::string_view kDefaultLicense = "cc-by-4.0";

}  // namespace dejima::catalog
