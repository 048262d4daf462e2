#include "manage/cost_share_handlers.h"

#include <ctime>

#include "http/problem.h"
#include "manage/csv.h"

namespace dejima::manage {
namespace {

using Params = std::vector<std::string>;

void write_amount(json::Writer& w, long long tenths) {
  const std::string t = access::tenths_text(tenths);
  w.raw(t, rapidjson::kNumberType);
}

Result<int> year_of(const http::Request& req) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  const std::string* y = req.param("year");
  if (!y) return tm.tm_year + 1900;
  if (y->size() != 4 || y->find_first_not_of("0123456789") != std::string::npos)
    return fail(ErrorKind::BadRequestData, "Invalid year", "year is a four-digit year, e.g. 2026");
  return std::stoi(*y);
}

http::Response as_json(int year, const access::CostTotals& totals, double usage_weight,
                       const std::vector<access::MemberShare>& shares) {
  return http::json_body(
      200, json::written([&](json::Writer& w) {
        w.StartObject();
        w.Key("year");
        w.Int(year);
        w.Key("unit");
        w.String("千円");
        if (usage_weight > 0) {
          w.Key("usageWeight");
          w.Double(usage_weight);
        }
        w.Key("totals");
        w.StartObject();
        w.Key("maintenance");
        write_amount(w, totals.maintenance_tenths);
        w.Key("apiDevelopment");
        write_amount(w, totals.api_development_tenths);
        w.EndObject();
        w.Key("members");
        w.StartArray();
        for (const auto& s : shares) {
          w.StartObject();
          w.Key("tenant");
          json::write_string(w, s.member.name.empty() ? access::kDefaultTenantAlias : std::string_view(s.member.name));
          w.Key("name");
          json::write_string(w, s.member.name_ja);
          w.Key("code");
          json::write_string(w, s.member.code);
          w.Key("kind");
          json::write_string(w, s.member.kind);
          w.Key("population");
          w.Int64(s.member.population);
          w.Key("maintenance");
          write_amount(w, s.maintenance_tenths);
          w.Key("apiDevelopment");
          write_amount(w, s.api_development_tenths);
          w.Key("total");
          write_amount(w, s.maintenance_tenths + s.api_development_tenths);
          if (usage_weight > 0) {
            w.Key("requests");
            w.Int64(s.requests);
          }
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }));
}

http::Response as_csv(const access::CostTotals& totals, const std::vector<access::MemberShare>& shares) {
  std::string out = "tenant,name,code,kind,population,maintenance,apiDevelopment,total\r\n";
  for (const auto& s : shares)
    out += csv_field(s.member.name.empty() ? std::string(access::kDefaultTenantAlias) : s.member.name) + "," +
           csv_field(s.member.name_ja) + "," + s.member.code + "," + s.member.kind + "," +
           std::to_string(s.member.population) + "," + access::tenths_text(s.maintenance_tenths) + "," +
           access::tenths_text(s.api_development_tenths) + "," +
           access::tenths_text(s.maintenance_tenths + s.api_development_tenths) + "\r\n";
  out += ",合計,,,," + access::tenths_text(totals.maintenance_tenths) + "," +
         access::tenths_text(totals.api_development_tenths) + "," +
         access::tenths_text(totals.maintenance_tenths + totals.api_development_tenths) + "\r\n";
  return csv_body(std::move(out));
}

}  // namespace

void add_cost_share_routes(http::Router& r, access::Directory& d, access::CostTotals totals, access::UsageMeter& usage,
                           double usage_weight) {
  r.add(http::Method::Get, "/dejima/v1/cost-shares", {http::Need::Open},
        [&d, &usage, totals, usage_weight](const http::Request& req, const Params&, http::Reply reply) {
    auto year = year_of(req);
    if (!year) return reply(http::problem(year.error()));
    auto csv = wants_csv(req);
    if (!csv) return reply(http::problem(csv.error()));
    access::UsageBlend blend{.weight = usage_weight};
    if (usage_weight > 0) {
      const std::string y = std::to_string(*year);
      auto requests = usage.requests_by_tenant(y + "-01-01", y + "-12-31");
      if (!requests) return reply(http::problem(requests.error()));
      blend.requests = std::move(*requests);
    }
    auto shares = access::cost_shares(d.tenants(), totals, blend);
    if (!shares) return reply(http::problem(shares.error()));
    reply(*csv ? as_csv(totals, *shares) : as_json(*year, totals, usage_weight, *shares));
  });
}

}  // namespace dejima::manage
