// Connector schedules: ISO 8601 intervals and cron expressions, evaluated in Asia/Tokyo (UTC+9,
// no daylight saving) as `dejima serve` does by default.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "connect/schedule.h"

using namespace dejima;
using dejima::connect::Schedule;

namespace {

class ScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? tz : "";
    had_ = tz != nullptr;
    ::setenv("TZ", "Asia/Tokyo", 1);
    ::tzset();
  }
  void TearDown() override {
    if (had_)
      ::setenv("TZ", saved_.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  static Millis at(const char* iso) { return *parse_iso8601(iso); }
  static std::string next(const char* cron, const char* after) {
    auto s = Schedule::parse(cron);
    EXPECT_TRUE(s) << cron << ": " << (s ? "" : s.error());
    return s ? format_iso8601(s->next(at(after))) : "";
  }

 private:
  std::string saved_;
  bool had_ = false;
};

TEST_F(ScheduleTest, IntervalsRunAPeriodAfterTheLastRun) {
  auto s = Schedule::parse("PT1H");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->next(1000), 3601000);
  EXPECT_EQ(s->retry(300000), 300000);  // a failed run is tried again within five minutes
  EXPECT_EQ(Schedule::parse("PT1M")->retry(300000), 60000);
  EXPECT_EQ(s->text(), "PT1H");
  EXPECT_TRUE(Schedule().empty());
}

TEST_F(ScheduleTest, CronTimesAreLocalTime) {
  // 2026-12-02 is a Wednesday; 09:00 JST is 00:00 UTC.
  EXPECT_EQ(next("0 6 * * *", "2026-12-02T00:00:00Z"), "2026-12-02T21:00:00.000Z");  // 06:00 JST the next day
  EXPECT_EQ(next("*/10 * * * *", "2026-12-02T10:03:30Z"), "2026-12-02T10:10:00.000Z");
  EXPECT_EQ(next("@hourly", "2026-12-02T10:59:59.999Z"), "2026-12-02T11:00:00.000Z");
  EXPECT_EQ(next("@hourly", "2026-12-02T11:00:00Z"), "2026-12-02T12:00:00.000Z");          // strictly later
  EXPECT_EQ(next("0 9 * * mon-fri", "2026-12-04T01:00:00Z"), "2026-12-07T00:00:00.000Z");  // Friday 10:00 -> Monday
  EXPECT_EQ(next("30 8,17 * * *", "2026-12-02T00:00:00Z"), "2026-12-02T08:30:00.000Z");    // 17:30 JST
  EXPECT_EQ(next("0 0 1 * *", "2026-12-02T00:00:00Z"), "2026-12-31T15:00:00.000Z");        // 1 January, JST
  // Both days restricted: either matches (the Monday comes before the 1st).
  EXPECT_EQ(next("0 0 1 * mon", "2026-12-02T00:00:00Z"), "2026-12-06T15:00:00.000Z");
  EXPECT_EQ(next("0 0 * JAN SUN", "2026-12-02T00:00:00Z"), "2027-01-02T15:00:00.000Z");  // Sunday 3 January
  EXPECT_EQ(next("0 0 * * 7", "2026-12-02T00:00:00Z"), "2026-12-05T15:00:00.000Z");      // 7 is Sunday too
  EXPECT_EQ(next("0 0 29 2 *", "2026-03-01T00:00:00Z"), "2028-02-28T15:00:00.000Z");     // the next leap day
  EXPECT_EQ(next("5/20 * * * *", "2026-12-02T10:06:00Z"), "2026-12-02T10:25:00.000Z");
  EXPECT_EQ(next("10-50/20 3 * * *", "2026-12-02T00:00:00Z"), "2026-12-02T18:10:00.000Z");
}

TEST_F(ScheduleTest, BadSchedulesSayWhatIsAccepted) {
  for (const char* bad : {"0 6 * *", "60 * * * *", "* 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "*/0 * * * *",
                          "5-1 * * * *", "abc", "PT0S", "P1M", "PT0.5S", "", "@often", "0 0 * * mon-"}) {
    auto s = Schedule::parse(bad);
    EXPECT_FALSE(s) << bad;
  }
  EXPECT_NE(Schedule::parse("0 6 * *").error().find("cron expression"), std::string::npos);
  EXPECT_NE(Schedule::parse("61 * * * *").error().find("minute '61' is not valid"), std::string::npos);
  EXPECT_NE(Schedule::parse("0 0 30 2 *").error().find("names no day that exists"), std::string::npos);
}

}  // namespace
