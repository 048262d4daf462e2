// What the management API's routes (/dejima/v1: connectors, tenants, services and keys, users,
// usage, audit, cost shares) do, for /openapi.json.
#pragma once
#include "http/openapi.h"

namespace dejima::manage {
http::ApiDocs route_docs();
}  // namespace dejima::manage
