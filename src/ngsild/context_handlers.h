// /ngsi-ld/v1/jsonldContexts (clause 5.13): list, serve, add and delete @context documents.
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_context_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
