// What Dejima keeps of a dataset beyond its data, edited by the tenant's administrator through
// /dejima/v1/datasets: titles and descriptions (ja, en), licence, keywords, themes, update
// frequency and source URL when the connector's own do not say it well. Everything else a
// dataset shows (publisher, counts, credits, schedule) is read from the platform when asked.
#pragma once
#include <string>
#include <vector>

#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::catalog {

struct Metadata {
  std::string title_ja, title_en;
  std::string description_ja, description_en;
  std::string license;  // an id of licenses() ("" = the default, CC BY 4.0)
  std::vector<std::string> keywords;
  std::vector<std::string> themes;  // 防災, 観光, ... (CKAN groups, dcat:theme)
  std::string frequency;            // a frequency name (frequencies()); "" = from the connector's schedule
  std::string source_url;           // "" = the connectors' sources
  Millis created_at = 0, modified_at = 0;
};

// Applies the members of a PATCH body (titleJa, titleEn, descriptionJa, descriptionEn, license,
// keywords, themes, frequency, sourceUrl; null clears one) to `m`; every wrong member is
// BadRequestData that names it, and then `m` is unchanged.
Status apply_metadata(const json::Value& body, Metadata& m);
// The stored (and API) form of the members above plus createdAt/modifiedAt.
void write_metadata(json::Writer& w, const Metadata& m);
Result<Metadata> stored_metadata(std::string_view body);

// The update frequencies a dataset may declare (the EU frequency vocabulary's names that DCAT-AP
// uses, lower-case): continuous, hourly, daily, weekly, monthly, quarterly, annual, irregular.
const std::vector<std::string>& frequencies();

}  // namespace dejima::catalog
