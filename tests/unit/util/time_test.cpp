#include <gtest/gtest.h>

#include "util/time.h"

using namespace dejima;

TEST(Time, RoundTripsUtc) {
  auto t = parse_iso8601("2026-11-24T03:43:00.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t), "2026-11-24T03:43:00.123Z");
}

TEST(Time, AppliesOffsets) {
  auto jst = parse_iso8601("2026-11-24T12:00:00+09:00");
  auto utc = parse_iso8601("2026-11-24T03:00:00Z");
  ASSERT_TRUE(jst && utc);
  EXPECT_EQ(*jst, *utc);
}

TEST(Time, RejectsInvalidDates) {
  EXPECT_FALSE(parse_iso8601("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T03:43:00"));  // no zone
  EXPECT_FALSE(parse_iso8601("2026-11-24 03:43:00Z"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z"));
}
