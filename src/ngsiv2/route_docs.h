// What the NGSIv2 API's routes (and Orion's /statistics, /admin/log) do, for /openapi.json.
#pragma once
#include "http/openapi.h"

namespace dejima::ngsiv2 {
http::ApiDocs route_docs();
}  // namespace dejima::ngsiv2
