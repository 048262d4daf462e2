// Users and sessions: POST /dejima/v1/login and /logout (the web app's cookie, or a token for
// Authorization: Bearer), GET/PATCH /dejima/v1/me, GET /dejima/v1/users (the operator), and
// under each tenant GET/POST /dejima/v1/tenants/{tenant}/users and GET/PUT/PATCH/DELETE
// …/users/{user} (the tenant's administrators). The gate has decided who may call which route;
// the handlers add the rules that depend on the user: only the operator makes operators, gives a
// role to a user of another tenant or resets the password of a user who works elsewhere too.
#pragma once
#include "access/users.h"
#include "http/router.h"

namespace dejima::manage {

struct SessionOptions {
  Millis ttl_ms = 8 * 3600 * 1000LL;
};

void add_user_routes(http::Router& r, access::Users& users, SessionOptions options);

}  // namespace dejima::manage
