// GET /v2/entities, POST /v2/op/query, GET /v2/types[/{type}].
#pragma once
#include "http/router.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

void add_query_routes(http::Router& r, Services& s);

}  // namespace dejima::ngsiv2
