// The catalog as DCAT-AP 3.0 (the EU application profile of W3C DCAT that the Digital Agency's
// profile follows): a dcat:Catalog whose dcat:dataset are the caller's datasets, each with its
// mandatory and recommended properties (title and description in ja/en, publisher with its
// 全国地方公共団体コード, contact point, keywords, themes, frequency from the EU vocabulary,
// spatial coverage, issued/modified, landing page) and a dcat:Distribution per file (access and
// download URL, media type, format, licence). Paged with Hydra: a hydra:PartialCollectionView
// with first, previous, next, last and totalItems.
#pragma once
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/links.h"
#include "catalog/rdf.h"

namespace dejima::catalog {

struct CatalogPage {
  size_t page = 1, size = 100;  // 1-based
};

Graph dcat_graph(const std::vector<Dataset>& all, const CatalogPage& page, const Links& links);

}  // namespace dejima::catalog
