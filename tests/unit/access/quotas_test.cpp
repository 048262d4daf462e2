// Token buckets and daily quotas with the clock given by the test, and the counts a second
// Quotas reads back from the store (a restart) — only today's.
#include <gtest/gtest.h>

#include "access/quotas.h"
#include "fakes/memory_storage.h"

using namespace dejima;

namespace {

const Millis kNoon = *parse_iso8601("2026-12-06T12:00:00+09:00");

TEST(Quotas, ABucketAdmitsItsBurstThenPerSecond) {
  test::MemoryStorage storage;
  access::Quotas q(storage);
  const access::KeyRecord key{.id = "k1"};
  const access::ServiceRecord service{.rate_limit = {.per_second = 2, .burst = 3}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(q.admit(key, service, kNoon), 0u) << i;
  EXPECT_EQ(q.admit(key, service, kNoon), 1u) << "one token comes back in half a second: wait 1 s";
  EXPECT_EQ(q.admit(key, service, kNoon + 500), 0u);
  EXPECT_EQ(q.admit(key, service, kNoon + 500), 1u);
  EXPECT_EQ(q.admit(key, service, kNoon + 10000), 0u) << "never more than the burst";
  EXPECT_EQ(q.admit(key, service, kNoon + 10000), 0u);
  EXPECT_EQ(q.admit(key, service, kNoon + 10000), 0u);
  EXPECT_GT(q.admit(key, service, kNoon + 10000), 0u);
  EXPECT_EQ(q.admit({.id = "k2"}, service, kNoon), 0u) << "buckets are per key";
}

TEST(Quotas, ADailyQuotaSurvivesARestartAndEndsAtLocalMidnight) {
  ::setenv("TZ", "Asia/Tokyo", 1);
  ::tzset();
  test::MemoryStorage storage;
  const access::KeyRecord key{.id = "k1"};
  const access::ServiceRecord service{.daily_quota = 3};
  {
    access::Quotas q(storage);
    ASSERT_TRUE(q.load(kNoon));
    EXPECT_EQ(q.admit(key, service, kNoon), 0u);
    EXPECT_EQ(q.admit(key, service, kNoon), 0u);
    q.stop();
  }
  access::Quotas again(storage);
  ASSERT_TRUE(again.load(kNoon + 1000));
  EXPECT_EQ(again.used_today("k1", kNoon), 2);
  EXPECT_EQ(again.admit(key, service, kNoon + 1000), 0u);
  EXPECT_EQ(again.admit(key, service, kNoon + 2000), 12u * 3600u - 2u) << "seconds until midnight in Tokyo";
  EXPECT_EQ(again.admit(key, service, kNoon + 12 * 3600 * 1000), 0u) << "a new day";
  ASSERT_TRUE(again.flush());
  access::Quotas next_day(storage);
  ASSERT_TRUE(next_day.load(kNoon + 24 * 3600 * 1000));
  EXPECT_EQ(next_day.used_today("k1", kNoon), 0) << "yesterday's count is dropped";
  EXPECT_EQ(next_day.used_today("k1", kNoon + 24 * 3600 * 1000), 1);
  EXPECT_EQ(storage.load_records("quota")->size(), 1u);
}

}  // namespace
