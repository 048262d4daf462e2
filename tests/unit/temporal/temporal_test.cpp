#include <gtest/gtest.h>

#include "temporal/aggregate.h"
#include "temporal/duration.h"
#include "temporal/render.h"

using namespace dejima;
using namespace dejima::temporal;

TEST(Duration, ParsesIso8601) {
  EXPECT_EQ(parse_duration("PT1H")->millis, 3'600'000);
  EXPECT_EQ(parse_duration("P1DT12H")->millis, 36 * 3'600'000LL);
  EXPECT_EQ(parse_duration("P2W")->millis, 14 * 86'400'000LL);
  EXPECT_EQ(parse_duration("PT0.5S")->millis, 500);
  EXPECT_EQ(parse_duration("P1Y2M")->months, 14);
  EXPECT_TRUE(parse_duration("PT0S")->zero());
  for (const char* bad : {"", "P", "PT", "1H", "PT1", "P1H", "PT1D", "PT1M1H", "P1.5M", "P-1D", "PT1HX", "P1DT"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, CalendarMonthsClampToTheMonthsEnd) {
  const Millis jan31 = *parse_iso8601("2026-01-31T10:00:00Z");
  EXPECT_EQ(format_iso8601(add(jan31, *parse_duration("P1M"))), "2026-02-28T10:00:00.000Z");
  EXPECT_EQ(format_iso8601(add(jan31, *parse_duration("P1Y1DT1H"))), "2027-02-01T11:00:00.000Z");
}

TEST(Aggregator, PeriodsSkipEmptyOnesAndComputeEveryMethod) {
  const Millis t0 = *parse_iso8601("2026-01-01T00:00:00Z");
  Aggregator a(t0, t0 + 4 * 3'600'000, *parse_duration("PT1H"), true);
  const double xs[] = {1, 2, 2, 10};
  const Millis ts[] = {t0, t0 + 1000, t0 + 2000, t0 + 3 * 3'600'000 + 5};  // hours 0 and 3
  for (int i = 0; i < 4; ++i) a.add(ts[i], std::to_string(xs[i]), &xs[i]);
  a.add(t0 + 3 * 3'600'000 + 6, "\"text\"", nullptr);
  auto periods = a.finish();
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0].start, t0);
  EXPECT_EQ(periods[0].end, t0 + 3'600'000);
  EXPECT_EQ(periods[1].start, t0 + 3 * 3'600'000);
  auto result = [&](Method m, const Period& p) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    write_result(w, m, p);
    return std::string(sb.GetString());
  };
  EXPECT_EQ(result(Method::TotalCount, periods[0]), "3");
  EXPECT_EQ(result(Method::DistinctCount, periods[0]), "2");
  EXPECT_EQ(result(Method::Sum, periods[0]), "5.0");
  EXPECT_EQ(result(Method::Min, periods[0]), "1.0");
  EXPECT_EQ(result(Method::Max, periods[0]), "2.0");
  EXPECT_EQ(result(Method::Sumsq, periods[0]), "9.0");
  EXPECT_NEAR(std::stod(result(Method::Stddev, periods[0])), 0.57735026918962573, 1e-12);
  EXPECT_EQ(result(Method::TotalCount, periods[1]), "2");  // the text counts, but is no number
  EXPECT_EQ(result(Method::Avg, periods[1]), "10.0");
}

TEST(InstanceId, RoundTrips) {
  EXPECT_EQ(instance_number(instance_id(42)), 42);
  EXPECT_EQ(instance_number("urn:ngsi-ld:Instance:"), 0);
  EXPECT_EQ(instance_number("urn:ngsi-ld:Instance:12x"), 0);
  EXPECT_EQ(instance_number("urn:x:12"), 0);
}
