// /ngsi-ld/v1/entities and /entities/{id}/attrs (clauses 5.6.1-5.6.6, 5.6.17-5.6.19, 5.7.1).
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_entity_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
