// Orion's administration resources that monitoring tools and operators probe: GET /statistics
// (uptime) and GET/PUT /admin/log (the log level, operators only).
#pragma once
#include "http/router.h"

namespace dejima::ngsiv2 {

void add_admin_routes(http::Router& r);

}  // namespace dejima::ngsiv2
