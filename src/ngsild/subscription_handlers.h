// /ngsi-ld/v1/subscriptions (clauses 5.8.1-5.8.5): create, retrieve, query, update, delete.
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_subscription_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
