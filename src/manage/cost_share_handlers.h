// GET /dejima/v1/cost-shares?year=…[&format=csv]: each member's 負担金 (access/cost_shares.h)
// as JSON, or as CSV (UTF-8 with BOM, so Excel opens it) with a totals row.
#pragma once
#include "access/cost_shares.h"
#include "access/directory.h"
#include "http/router.h"

namespace dejima::manage {

void add_cost_share_routes(http::Router& r, access::Directory& directory, access::CostTotals totals);

}  // namespace dejima::manage
