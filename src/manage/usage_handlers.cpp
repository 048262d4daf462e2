#include "manage/usage_handlers.h"

#include <cstdio>
#include <sstream>

#include "access/quotas.h"
#include "http/problem.h"
#include "manage/csv.h"

namespace dejima::manage {
namespace {

using Params = std::vector<std::string>;
constexpr const char* kGroupings[] = {"day", "tenant", "key", "family"};

// The tenant a request may see: the one it names (the gate checked the right to), every tenant
// for the operator naming none.
std::optional<std::string> tenant_filter(const http::Request& req) {
  if (!req.param("tenant") && req.grant.operator_rights) return std::nullopt;
  return req.grant.tenant;
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

Result<access::UsageQuery> usage_query(const http::Request& req) {
  const Millis now = now_millis();
  access::UsageQuery q{.from_day = access::local_day(now - 29 * 86400000LL), .to_day = access::local_day(now)};
  if (const auto* v = req.param("from")) q.from_day = *v;
  if (const auto* v = req.param("to")) q.to_day = *v;
  q.tenant = tenant_filter(req);
  if (const auto* v = req.param("key")) q.key = *v;
  const std::string group_by = req.param("groupBy") ? *req.param("groupBy") : "day,tenant,key,family";
  std::stringstream in(group_by);
  for (std::string g; std::getline(in, g, ',');) {
    if (std::find(std::begin(kGroupings), std::end(kGroupings), g) == std::end(kGroupings))
      return fail(ErrorKind::BadRequestData, "Invalid groupBy",
                  "groupBy is a comma-separated list of day, tenant, key, family");
    q.group_by.insert(g);
  }
  return q;
}

http::Response usage_json(const std::vector<access::UsageRow>& rows, const access::UsageQuery& q) {
  return http::json_body(200, json::written([&](json::Writer& w) {
                           w.StartArray();
                           for (const auto& r : rows) {
                             w.StartObject();
                             for (auto [name, value] : {std::pair{"day", &r.day}, std::pair{"tenant", &r.tenant},
                                                        std::pair{"key", &r.key}, std::pair{"family", &r.family}})
                               if (q.group_by.count(name)) {
                                 w.Key(name);
                                 json::write_string(w, *value);
                               }
                             w.Key("requests");
                             w.Int64(r.counts.requests);
                             w.Key("errors");
                             w.Int64(r.counts.errors);
                             w.Key("bytesOut");
                             w.Int64(r.counts.bytes_out);
                             for (auto [name, f] : {std::pair{"p50Ms", 0.5}, std::pair{"p99Ms", 0.99}}) {
                               w.Key(name);
                               const std::string t = ms_text(r.counts.percentile_ms(f));
                               w.raw(t, rapidjson::kNumberType);
                             }
                             w.EndObject();
                           }
                           w.EndArray();
                         }));
}

http::Response usage_csv(const std::vector<access::UsageRow>& rows, const access::UsageQuery& q) {
  std::string out;
  for (const char* g : kGroupings)
    if (q.group_by.count(g)) out += std::string(g) + ",";
  out += "requests,errors,bytesOut,p50Ms,p99Ms\r\n";
  for (const auto& r : rows) {
    for (auto [name, value] : {std::pair{"day", &r.day}, std::pair{"tenant", &r.tenant}, std::pair{"key", &r.key},
                               std::pair{"family", &r.family}})
      if (q.group_by.count(name)) out += csv_field(*value) + ",";
    out += std::to_string(r.counts.requests) + "," + std::to_string(r.counts.errors) + "," +
           std::to_string(r.counts.bytes_out) + "," + ms_text(r.counts.percentile_ms(0.5)) + "," +
           ms_text(r.counts.percentile_ms(0.99)) + "\r\n";
  }
  return csv_body(std::move(out));
}

Result<store::JournalQuery> audit_query(const http::Request& req) {
  store::JournalQuery q{.tenant = tenant_filter(req), .limit = 100, .newest_first = true};
  for (auto [name, bound] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}})
    if (const auto* v = req.param(name)) {
      auto t = parse_iso8601(*v);
      if (!t) return fail(ErrorKind::BadRequestData, "Invalid time", std::string(name) + " is an ISO 8601 time");
      *bound = *t;
    }
  if (const auto* v = req.param("limit")) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v->c_str(), &end, 10);
    if (v->empty() || *end || n == 0 || n > 10000)
      return fail(ErrorKind::BadRequestData, "Invalid limit", "limit is 1 to 10000");
    q.limit = n;
  }
  return q;
}

}  // namespace

void add_usage_routes(http::Router& r, access::UsageMeter& usage, access::AuditLog& audit) {
  const http::Permission admin{http::Need::TenantAdmin, http::TenantFrom::Query};
  r.add(http::Method::Get, "/dejima/v1/usage", admin,
        [&usage](const http::Request& req, const Params&, http::Reply reply) {
    auto csv = wants_csv(req);
    if (!csv) return reply(http::problem(csv.error()));
    auto q = usage_query(req);
    if (!q) return reply(http::problem(q.error()));
    auto rows = usage.query(*q);
    if (!rows) return reply(http::problem(rows.error()));
    reply(*csv ? usage_csv(*rows, *q) : usage_json(*rows, *q));
  });
  r.add(http::Method::Get, "/dejima/v1/audit", admin,
        [&audit](const http::Request& req, const Params&, http::Reply reply) {
    auto q = audit_query(req);
    if (!q) return reply(http::problem(q.error()));
    auto entries = audit.read(*q);
    if (!entries) return reply(http::problem(entries.error()));
    std::string body = "[";
    for (const auto& e : *entries) body += (body.size() > 1 ? "," : "") + e;
    reply(http::json_body(200, body + "]"));
  });
}

}  // namespace dejima::manage
