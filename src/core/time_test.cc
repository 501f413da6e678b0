#include "core/time.h"

#include <gtest/gtest.h>

namespace cloudward {
namespace {

TEST(ParseIsoTime, AwsForms) {
  EXPECT_EQ(ParseIsoTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoTime("2024-01-02T03:04:05Z"), 1704164645000);
  EXPECT_EQ(ParseIsoTime("2024-01-02T03:04:05.123Z"), 1704164645123);
  EXPECT_EQ(ParseIsoTime("2024-01-02T03:04:05.123456789Z"), 1704164645123);
  EXPECT_EQ(ParseIsoTime("2024-01-02 03:04:05"), 1704164645000);
  EXPECT_EQ(ParseIsoTime("2024-01-02T05:04:05+02:00"), 1704164645000);
  EXPECT_EQ(ParseIsoTime("2024-01-02"), 1704153600000);
}

TEST(ParseIsoTime, RejectsGarbage) {
  EXPECT_FALSE(ParseIsoTime(""));
  EXPECT_FALSE(ParseIsoTime("2024-13-02T00:00:00Z"));
  EXPECT_FALSE(ParseIsoTime("2024-01-02T00:00:00Zjunk"));
  EXPECT_FALSE(ParseIsoTime("yesterday"));
}

TEST(FormatIsoTime, RoundTrips) {
  for (int64_t ms : {0LL, 1704164645000LL, 1704164645123LL, -86400000LL}) {
    EXPECT_EQ(ParseIsoTime(FormatIsoTime(ms)), ms) << ms;
  }
  EXPECT_EQ(FormatIsoTime(1704164645000), "2024-01-02T03:04:05Z");
  EXPECT_EQ(FormatIsoTime(1704164645007), "2024-01-02T03:04:05.007Z");
  EXPECT_EQ(FormatIsoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoTime(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoTime(253402300800000), "10000-01-01T00:00:00Z") << "past the 4-digit years";
  EXPECT_EQ(FormatIsoTime(-62167219200000), "0000-01-01T00:00:00Z");
}

TEST(ParseTimeBound, Durations) {
  EXPECT_EQ(ParseTimeBound("2h", 10'000'000), 10'000'000 - 7'200'000);
  EXPECT_EQ(ParseTimeBound("1d", 100'000'000), 100'000'000 - 86'400'000);
  EXPECT_FALSE(ParseTimeBound("h", 0));
  EXPECT_FALSE(ParseTimeBound("5y", 0));
}

}  // namespace
}  // namespace cloudward
