// Dejima's management API for connectors (not part of NGSI-LD): /dejima/v1/connectors.
#pragma once
#include "connect/connectors.h"
#include "http/router.h"

namespace dejima::manage {

void add_connector_routes(http::Router& r, connect::Connectors& connectors);

}  // namespace dejima::manage
