// /ngsi-ld/v1/csourceRegistrations (clauses 5.9.2-5.9.4, 5.10.1-5.10.2): register, update and
// delete context sources, retrieve one, discover them by what they provide.
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_csource_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
