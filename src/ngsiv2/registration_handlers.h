// The /v2/registrations routes (Orion's context provider registrations: create, list, retrieve,
// delete), kept in the shared federation::Registry.
#pragma once
#include "http/router.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

void add_registration_routes(http::Router& r, Services& s);

}  // namespace dejima::ngsiv2
