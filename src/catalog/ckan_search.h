// package_search over the caller's datasets: `q` (words anywhere in name, title, notes, tags,
// organization and type, all of them; or field:value terms), `fq` (field:value terms, "quoted
// values", +term, -term for not, metadata_modified:[2026-01-01T00:00:00Z TO *] as a harvester
// asks for what changed; AND between terms is implied), `sort` (score, name, title,
// metadata_modified, metadata_created, num_resources, id (the name); asc or desc, several by
// commas), `rows` and `start`, and facets over tags, organization, groups, res_format,
// license_id. What Solr would refuse (an unknown field, a bad sort) is a Search Query Error.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace dejima::catalog {

struct SearchRequest {
  std::string q, fq, sort;
  size_t rows = 10, start = 0;
  std::vector<std::string> facet_fields;
  long facet_limit = 50;  // -1: every value
  size_t facet_mincount = 1;
};

struct SearchResult {
  size_t count = 0;
  std::vector<const Dataset*> page;
  // field -> value -> count, values ordered by count (then value)
  std::map<std::string, std::vector<std::pair<std::string, size_t>>> facets;
};

// The fields a facet or a field:value term may name.
bool searchable_field(std::string_view field);
// The values a dataset has for a field (tags: its keywords, res_format: CSV, GeoJSON, JSON-LD …).
std::vector<std::string> field_values(const Dataset& d, std::string_view field);

Result<SearchResult> search(const std::vector<Dataset>& all, const SearchRequest& r);

}  // namespace dejima::catalog
