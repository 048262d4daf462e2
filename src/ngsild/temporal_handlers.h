// /ngsi-ld/v1/temporal/... (clauses 5.6.11-5.6.16, 5.7.3-5.7.4): the history of entities,
// written by every change and by these provision endpoints, read as temporal representations.
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_temporal_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
