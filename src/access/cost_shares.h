// 負担金: each member's share of the platform's yearly running costs, by the rules the prefecture
// and its municipalities agreed for this platform:
// - 県:市町 = 1:1 — the prefecture pays half of each cost, the municipalities together the other half;
// - within the municipalities 市:町 = 9:1 (villages count with the towns);
// - among the cities, and among the towns, 維持管理経費 (maintenance) is split equally (均等割) and
//   API開発等経費 (API development and support) by population (人口割, the registry's) — or, for a
//   configured part of it, by the requests measured in each member's tenant that year (利用按分;
//   a group that made none splits that part by population too).
// Amounts are in 千円 with one decimal. Each cost is split exactly, then rounded to 0.1 千円 by the
// largest-remainder method (the shares are cut down to 0.1; the 0.1s left over go to the largest
// cut-off parts, ties to the earlier member in code order), so every column adds up to its total.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "access/tenant_record.h"
#include "util/error.h"

namespace dejima::access {

struct CostTotals {
  long long maintenance_tenths = 100000;      // 維持管理経費, in 0.1 千円 (default 10,000 千円)
  long long api_development_tenths = 100000;  // API開発等経費, in 0.1 千円
};

// 利用按分: the part (0 to 1) of the API development cost that the cities and towns split by
// their measured requests instead of their population, and the requests per tenant.
struct UsageBlend {
  double weight = 0;
  std::map<std::string, long long> requests;
};

struct MemberShare {
  TenantRecord member;
  long long maintenance_tenths = 0, api_development_tenths = 0;
  long long requests = 0;  // from the UsageBlend
};

// The members (tenants of kind prefecture, city, town, village; in code order) and their shares.
// Fails when a group the rules need is empty (no prefecture, no city, no town) or a group's
// population is zero.
Result<std::vector<MemberShare>> cost_shares(const std::vector<TenantRecord>& tenants, const CostTotals& totals,
                                             const UsageBlend& usage = {});

// "1234.5" from 12345 tenths.
std::string tenths_text(long long tenths);

}  // namespace dejima::access
