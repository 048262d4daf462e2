// The usage meter with the clock given by the test: counts per day, tenant, caller and family,
// what a restart reads back, grouping, and percentiles from the latency histogram; the audit
// log's rule of which answers it keeps.
#include <gtest/gtest.h>

#include "access/audit.h"
#include "access/usage.h"
#include "fakes/memory_storage.h"

using namespace dejima;
using std::chrono::microseconds;

namespace {

const Millis kNoon = *parse_iso8601("2026-12-06T12:00:00+09:00");

TEST(Usage, CountsAreKeptAcrossARestartAndGroupedAsAsked) {
  ::setenv("TZ", "Asia/Tokyo", 1);
  ::tzset();
  test::MemoryStorage storage;
  {
    access::UsageMeter meter(storage);
    ASSERT_TRUE(meter.load(kNoon));
    meter.count(kNoon, "sasebo", "k1", "ngsi-ld", 200, 100, microseconds(1000));
    meter.count(kNoon, "sasebo", "k1", "ngsi-ld", 404, 50, microseconds(1000));
    meter.count(kNoon, "sasebo", "k1", "temporal", 200, 10, microseconds(100000));
    meter.count(kNoon - 86400000, "", "anonymous", "ngsi-ld", 200, 1, microseconds(10));
    meter.stop();
  }
  access::UsageMeter meter(storage);
  ASSERT_TRUE(meter.load(kNoon + 1000));
  meter.count(kNoon + 1000, "sasebo", "k1", "ngsi-ld", 200, 100, microseconds(1000));  // not flushed: still seen
  auto rows = meter.query({.from_day = "2026-12-06", .to_day = "2026-12-06", .group_by = {"tenant", "family"}});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].family, "ngsi-ld");
  EXPECT_EQ((*rows)[0].tenant, "sasebo");
  EXPECT_EQ((*rows)[0].day, "") << "not grouped by day";
  EXPECT_EQ((*rows)[0].counts.requests, 3);
  EXPECT_EQ((*rows)[0].counts.errors, 1);
  EXPECT_EQ((*rows)[0].counts.bytes_out, 250);
  EXPECT_NEAR((*rows)[0].counts.percentile_ms(0.5), 1.0, 0.2);
  EXPECT_NEAR((*rows)[1].counts.percentile_ms(0.99), 100.0, 20.0);
  auto days = meter.query({.from_day = "2026-12-05", .to_day = "2026-12-06", .group_by = {"day"}});
  ASSERT_TRUE(days);
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].day, "2026-12-05");
  EXPECT_EQ((*days)[0].counts.requests, 1);
  auto only_default = meter.requests_by_tenant("2026-01-01", "2026-12-31");
  ASSERT_TRUE(only_default);
  EXPECT_EQ((*only_default)[""], 1);
  EXPECT_EQ((*only_default)["sasebo"], 4);
  EXPECT_FALSE(meter.query({.from_day = "2026-12-07", .to_day = "2026-12-06"}));
  EXPECT_FALSE(meter.query({.from_day = "2026-13-01", .to_day = "2026-13-02"}));
  EXPECT_EQ(storage.load_records("usage")->size(), 3u) << "a record per day, tenant, family and caller";
}

class Entries {
 public:
  explicit Entries(store::Storage& s) : storage(s) {}
  size_t after(http::Method m, http::Need need, unsigned status, std::string actor = "") {
    http::Request req;
    req.method = m;
    req.path = "/x";
    http::RouteInfo route{m, "/x", {need}};
    http::Response resp;
    resp.status = status;
    resp.actor = std::move(actor);
    log.observe(req, &route, resp, {});
    (void)log.flush();
    return storage.read_journal("audit", {})->size();
  }
  store::Storage& storage;
  access::AuditLog log{storage};
};

TEST(Audit, KeepsAdministrativeActionsAndRefusalsOnly) {
  test::MemoryStorage storage;
  Entries e(storage);
  using http::Method;
  using http::Need;
  EXPECT_EQ(e.after(Method::Get, Need::Read, 200), 0u);
  EXPECT_EQ(e.after(Method::Post, Need::Write, 201), 0u) << "data writes are not administration";
  EXPECT_EQ(e.after(Method::Get, Need::Operator, 200), 0u) << "reading the registry is no action";
  EXPECT_EQ(e.after(Method::Post, Need::TenantAdmin, 201), 1u);
  EXPECT_EQ(e.after(Method::Delete, Need::Operator, 404), 2u) << "a failed action too";
  EXPECT_EQ(e.after(Method::Get, Need::Read, 401), 3u);
  EXPECT_EQ(e.after(Method::Post, Need::Write, 403), 4u);
  EXPECT_EQ(e.after(Method::Post, Need::Open, 200, "user:aki"), 5u) << "a login names its actor";
  auto bodies = e.log.read({.limit = 1, .newest_first = true});
  ASSERT_TRUE(bodies);
  EXPECT_NE((*bodies)[0].find(R"("actor":"user:aki")"), std::string::npos) << (*bodies)[0];
}

}  // namespace
