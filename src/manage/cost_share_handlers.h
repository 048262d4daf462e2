// GET /dejima/v1/cost-shares?year=…[&format=csv]: each member's 負担金 (access/cost_shares.h)
// as JSON, or as CSV (UTF-8 with BOM, so Excel opens it) with a totals row. With a usage weight
// above 0, that part of the API development cost follows the year's measured requests.
#pragma once
#include "access/cost_shares.h"
#include "access/directory.h"
#include "access/usage.h"
#include "http/router.h"

namespace dejima::manage {

void add_cost_share_routes(http::Router& r, access::Directory& directory, access::CostTotals totals,
                           access::UsageMeter& usage, double usage_weight);

}  // namespace dejima::manage
