// What the NGSI-LD API's routes do, for /openapi.json (http/openapi.h).
#pragma once
#include "http/openapi.h"

namespace dejima::ngsild {
http::ApiDocs route_docs();
}  // namespace dejima::ngsild
