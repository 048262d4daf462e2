#include "access/cost_shares.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dejima::access {
namespace {

enum Group { kPrefecture, kCities, kTowns };

// Rounds exact shares (in tenths) to whole tenths that add up to `total`.
std::vector<long long> largest_remainder(const std::vector<double>& exact, long long total) {
  std::vector<long long> out(exact.size());
  std::vector<size_t> order(exact.size());
  long long given = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    out[i] = static_cast<long long>(std::floor(exact[i] + 1e-9));
    given += out[i];
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return exact[a] - out[a] > exact[b] - out[b] + 1e-12; });
  for (size_t k = 0; given < total && k < order.size(); ++k, ++given) ++out[order[k]];
  return out;
}

}  // namespace

std::string tenths_text(long long tenths) {
  const char* sign = tenths < 0 ? "-" : "";
  const long long a = std::llabs(tenths);
  return sign + std::to_string(a / 10) + "." + std::to_string(a % 10);
}

Result<std::vector<MemberShare>> cost_shares(const std::vector<TenantRecord>& tenants, const CostTotals& totals,
                                             const UsageBlend& usage) {
  std::vector<MemberShare> members;
  std::vector<Group> group;
  for (const auto& t : tenants) {
    if (t.kind != "prefecture" && t.kind != "city" && t.kind != "town" && t.kind != "village") continue;
    members.push_back({t});
  }
  std::sort(members.begin(), members.end(),
            [](const MemberShare& a, const MemberShare& b) { return a.member.code < b.member.code; });
  size_t count[3] = {0, 0, 0};
  long long population[3] = {0, 0, 0}, requests[3] = {0, 0, 0};
  for (auto& m : members) {
    const Group g = m.member.kind == "prefecture" ? kPrefecture : m.member.kind == "city" ? kCities : kTowns;
    group.push_back(g);
    ++count[g];
    population[g] += m.member.population;
    if (auto it = usage.requests.find(m.member.name); it != usage.requests.end()) m.requests = it->second;
    requests[g] += m.requests;
  }
  static constexpr const char* kNames[] = {"prefecture", "city", "town"};
  for (int g : {kPrefecture, kCities, kTowns})
    if (count[g] == 0)
      return fail(ErrorKind::OperationNotSupported, "Cost shares cannot be split",
                  std::string("no member of kind ") + kNames[g] + " is registered");
  if (count[kPrefecture] > 1)
    return fail(ErrorKind::OperationNotSupported, "Cost shares cannot be split", "more than one prefecture");
  for (int g : {kCities, kTowns})
    if (population[g] <= 0)
      return fail(ErrorKind::OperationNotSupported, "Cost shares cannot be split",
                  std::string("the ") + kNames[g] + " members have no population in the registry");
  // The part of a cost each group carries: 1:1, then 9:1 within the municipalities.
  const double part[3] = {0.5, 0.5 * 0.9, 0.5 * 0.1};
  std::vector<double> maintenance(members.size()), api(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    const Group g = group[i];
    maintenance[i] = static_cast<double>(totals.maintenance_tenths) * part[g] / static_cast<double>(count[g]);
    const double by_population = static_cast<double>(members[i].member.population) / static_cast<double>(population[g]);
    const double by_use =
        requests[g] > 0 ? static_cast<double>(members[i].requests) / static_cast<double>(requests[g]) : by_population;
    api[i] = static_cast<double>(totals.api_development_tenths) * part[g] *
             (g == kPrefecture ? 1.0 : (1 - usage.weight) * by_population + usage.weight * by_use);
  }
  const auto m = largest_remainder(maintenance, totals.maintenance_tenths);
  const auto a = largest_remainder(api, totals.api_development_tenths);
  for (size_t i = 0; i < members.size(); ++i) {
    members[i].maintenance_tenths = m[i];
    members[i].api_development_tenths = a[i];
  }
  return members;
}

}  // namespace dejima::access
