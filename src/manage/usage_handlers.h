// GET /dejima/v1/usage?tenant=&key=&from=&to=&groupBy=[&format=csv] (サービス利用履歴) and
// GET /dejima/v1/audit?tenant=&from=&to=&limit= (the audit log): the operator sees every
// tenant (or the one named), a tenant's administrators their tenant's only.
#pragma once
#include "access/audit.h"
#include "access/usage.h"
#include "http/router.h"

namespace dejima::manage {

void add_usage_routes(http::Router& r, access::UsageMeter& usage, access::AuditLog& audit);

}  // namespace dejima::manage
