// What the web app's routes (its files, the map's layers, the change stream) do, for /openapi.json.
#pragma once
#include "http/openapi.h"

namespace dejima::site {
http::ApiDocs route_docs();
}  // namespace dejima::site
