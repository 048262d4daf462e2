// Query and discovery (clauses 5.7.2, 5.7.5-5.7.6, 5.6.21): GET /entities,
// POST /entityOperations/query, DELETE /entities (purge), /types, /attributes.
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_query_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
