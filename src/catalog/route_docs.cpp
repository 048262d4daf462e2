#include "catalog/route_docs.h"

namespace dejima::catalog {

http::ApiDocs route_docs() {
  using M = http::Method;
  const std::string d = "/dejima/v1/datasets", tag = "Data catalog";
  const std::vector<std::string> ckan = {"id",
                                         "q",
                                         "fq",
                                         "rows",
                                         "start",
                                         "sort",
                                         "facet.field",
                                         "facet.limit",
                                         "facet.mincount",
                                         "include_private",
                                         "resource_id",
                                         "filters",
                                         "fields",
                                         "limit",
                                         "offset",
                                         "all_fields",
                                         "include_datasets",
                                         "query"};
  const std::string action =
      "CKAN Action API: package_list, package_search, package_show, resource_show, organization_list, "
      "organization_show, group_list, tag_list, license_list, status_show, datastore_search";
  return {
      {
          {M::Get, d, "The datasets the caller may read", tag, 200, "", "DatasetList"},
          {M::Get, d + "/{tenant}/{type}", "One dataset", tag, 200, "", "Dataset"},
          {M::Patch, d + "/{tenant}/{type}", "Change a dataset's metadata", tag, 200, "DatasetMetadata", "Dataset"},
          {M::Get,
           d + "/{tenant}/{type}/history.csv",
           "The history of a dataset's entities in a time window, as CSV (the last 7 days by default)",
           tag,
           200,
           "",
           "",
           {"from", "to", "encoding"}},
          {M::Get,
           d + "/{tenant}/{type}/{file}",
           "A dataset's data: data.csv, data.geojson or data.jsonld",
           tag,
           200,
           "",
           "",
           {"encoding"}},
          {M::Get, "/api/3/action/{action}", action, tag, 200, "", "CkanResponse", ckan},
          {M::Post, "/api/3/action/{action}", action + " (parameters as a JSON object)", tag, 200, "Any",
           "CkanResponse"},
          {M::Get, "/api/action/{action}", action + " (without the version)", tag, 200, "", "CkanResponse", ckan},
          {M::Post, "/api/action/{action}", action + " (without the version, a JSON object)", tag, 200, "Any",
           "CkanResponse"},
          {M::Get,
           "/catalog",
           "The catalog as DCAT-AP 3.0 (JSON-LD or Turtle), paged with Hydra",
           tag,
           200,
           "",
           "",
           {"page", "pageSize", "format"}},
      },
      {
          {"Dataset",
           R"json({"type":"object","properties":{"name":{"type":"string"},"tenant":{"type":"string"},"type":{"type":"string"},"title":{"type":"string"},"titleEn":{"type":"string"},"public":{"type":"boolean"},"temporal":{"type":"object","properties":{"start":{"type":"string","format":"date-time"},"end":{"type":"string","format":"date-time"}}},"entities":{"type":"integer"},"license":{"type":"object"},"publisher":{"type":"object"},"metadata":{"$ref":"#/components/schemas/DatasetMetadata"},"sources":{"type":"array"},"distributions":{"type":"array"}}})json"},
          {"DatasetList", R"json({"type":"array","items":{"$ref":"#/components/schemas/Dataset"}})json"},
          {"DatasetMetadata",
           R"json({"type":"object","properties":{"titleJa":{"type":["string","null"]},"titleEn":{"type":["string","null"]},"descriptionJa":{"type":["string","null"]},"descriptionEn":{"type":["string","null"]},"license":{"type":["string","null"]},"keywords":{"type":["array","null"],"items":{"type":"string"}},"themes":{"type":["array","null"],"items":{"type":"string"}},"frequency":{"type":["string","null"]},"sourceUrl":{"type":["string","null"]}},"additionalProperties":false})json"},
          {"CkanResponse",
           R"json({"type":"object","properties":{"help":{"type":"string"},"success":{"const":true},"result":{}},"required":["success","result"]})json"},
      },
  };
}

}  // namespace dejima::catalog
