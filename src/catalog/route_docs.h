// What the catalog's routes (/dejima/v1/datasets, the CKAN Action API, /catalog) do, for
// /openapi.json.
#pragma once
#include "http/openapi.h"

namespace dejima::catalog {
http::ApiDocs route_docs();
}  // namespace dejima::catalog
