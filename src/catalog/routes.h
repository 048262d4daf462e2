// The catalog's routes: /dejima/v1/datasets (dataset_handlers.cpp: the list, a dataset, its
// metadata, its files), the CKAN Action API at /api/3/action (ckan_handlers.cpp) and the DCAT
// catalog at /catalog (dcat_handlers.cpp).
#pragma once
#include <string>

#include "catalog/catalog.h"
#include "http/router.h"

namespace dejima::catalog {

struct Services {
  Catalog& catalog;
  std::string public_url;  // --public-url ("" = the request's Host)
};

void add_dataset_routes(http::Router& r, const Services& s);
void add_ckan_routes(http::Router& r, const Services& s);
void add_dcat_routes(http::Router& r, const Services& s);  // /catalog (dcat_handlers.cpp)

}  // namespace dejima::catalog
