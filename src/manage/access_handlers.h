// The access model's management API: /dejima/v1/tenants (the registry), and under each tenant
// its services and their API keys. The gate (access/gate.h) has decided who may call which
// route before a handler here runs; the handlers add the rules that depend on the body.
#pragma once
#include "access/directory.h"
#include "http/router.h"

namespace dejima::manage {

void add_access_routes(http::Router& r, access::Directory& directory);

}  // namespace dejima::manage
