#include "gpumarket/core/calendar.hpp"

#include <gtest/gtest.h>

namespace gpumarket {
namespace {

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(parse_duration("15min")->count_micros(), 15LL * 60 * 1'000'000);
  EXPECT_EQ(parse_duration("6h")->count_micros(), 6LL * 3600 * 1'000'000);
  EXPECT_EQ(parse_duration("30d")->count_micros(), 30LL * 86400 * 1'000'000);
  EXPECT_EQ(parse_duration("2w")->count_micros(), 14LL * 86400 * 1'000'000);
  EXPECT_EQ(parse_duration("1y")->count_micros(), 365LL * 86400 * 1'000'000);
  EXPECT_EQ(parse_duration("250ms")->count_micros(), 250'000);
  EXPECT_EQ(parse_duration("7us")->count_micros(), 7);
  EXPECT_DOUBLE_EQ(parse_duration("1.5h")->in_hours(), 1.5);
  EXPECT_DOUBLE_EQ(parse_duration("90s")->in_seconds(), 90.0);
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad : {"", "h", "15", "15 min", "-3h", "3hours", "1.2.3h", "abc", "1e400h"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ParseDate, RoundTripsThroughDaysSinceEpoch) {
  EXPECT_EQ(parse_date("1970-01-01")->days_since_epoch(), 0);
  EXPECT_EQ(parse_date("2026-05-07")->to_string(), "2026-05-07");
  EXPECT_EQ(parse_date("2024-02-29")->to_string(), "2024-02-29");
  const Date a = *parse_date("2026-06-01");
  const Date b = *parse_date("2026-09-01");
  EXPECT_EQ(b.days_since_epoch() - a.days_since_epoch(), 92);  // 30 + 31 + 31
}

TEST(ParseDate, RejectsImpossibleDates) {
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-05-07",
                          "2026/05/07", "2026-5-7", "tomorrow"}) {
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
  }
}

TEST(ParseDatetime, MeasuresFromTheEpochDate) {
  const Date start = *parse_date("2026-05-07");
  EXPECT_DOUBLE_EQ(parse_datetime("2026-05-08", start)->in_hours(), 24.0);
  EXPECT_DOUBLE_EQ(parse_datetime("2026-05-07T06:30", start)->in_hours(), 6.5);
  EXPECT_DOUBLE_EQ(parse_datetime("2026-05-06T12:00:00", start)->in_hours(), -12.0);
  EXPECT_FALSE(parse_datetime("2026-05-07T25:00", start).has_value());
}

}  // namespace
}  // namespace gpumarket
