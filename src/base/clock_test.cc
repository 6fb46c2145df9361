#include "fen/base/clock.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>

#include "fen/base/sha256.h"
#include "fen/base/uuid.h"

namespace fen {
namespace {

TEST(ClockTest, IsoRoundTrip) {
  auto t = ParseIsoMillis("2026-11-26T20:31:24.690Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatIsoMillis(*t), "2026-11-26T20:31:24.690Z");
  EXPECT_FALSE(ParseIsoMillis("2026-13-26T20:31:24.690Z").has_value());
  EXPECT_FALSE(ParseIsoMillis("yesterday").has_value());
  EXPECT_EQ(FormatIsoMillis(*ParseIsoMillis("2026-11-26T20:31:24Z")), "2026-11-26T20:31:24.000Z");
}

// The reference: what FormatIsoMillis printed when it used gmtime_r.
std::string FormatWithGmtime(int64_t ms) {
  int64_t secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  EXPECT_NE(gmtime_r(&tt, &tm), nullptr);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

TEST(ClockTest, FormatMatchesGmtimeFromYearMinus5000To30000) {
  auto format = [](int64_t ms) { return FormatIsoMillis(WallTime(std::chrono::milliseconds(ms))); };
  EXPECT_EQ(format(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format(4107542399999), "2100-02-28T23:59:59.999Z");
  EXPECT_EQ(format(-62135596800000), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(format(253402300799999), "9999-12-31T23:59:59.999Z");
  std::mt19937_64 rng(20261202);
  const int64_t lo = -220000000000000, hi = 884000000000000;  // years -5000 .. 30000
  std::uniform_int_distribution<int64_t> any(lo, hi);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    int64_t ms = any(rng);
    ASSERT_EQ(format(ms), FormatWithGmtime(ms)) << ms;
    ++checked;
  }
  // Every day boundary of four centuries around the epoch, and the millisecond either side.
  for (int64_t day = -73048; day <= 73048; ++day) {
    for (int64_t ms : {day * 86400000 - 1, day * 86400000, day * 86400000 + 1}) {
      ASSERT_EQ(format(ms), FormatWithGmtime(ms)) << ms;
      ++checked;
    }
  }
  EXPECT_GT(checked, 600000);
}

TEST(UuidTest, V4IsValidAndUnique) {
  std::string a = NewUuidV4();
  EXPECT_TRUE(IsValidUuid(a));
  EXPECT_TRUE(LooksLikeUuid(a));
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, NewUuidV4());
  EXPECT_FALSE(IsValidUuid("not-a-uuid"));
  EXPECT_FALSE(IsValidUuid("84900049-e41d-02e9-941e-cca09d30cb7b"));  // version nibble 0
  EXPECT_TRUE(IsValidUuid("00000000-0000-0000-0000-000000000000"));
}

TEST(Sha256Test, MatchesFixtureChecksum) {
  // The definition hash of the fixture's `hello` model (cli.md §3.5).
  EXPECT_EQ(Sha256Hex("{\"globalArguments\":{},\"id\":\"84900049-e41d-42e9-941e-cca09d30cb7b\","
                      "\"methods\":{\"execute\":{\"arguments\":{\"run\":\"echo hello world\"}}},"
                      "\"name\":\"hello\",\"tags\":{},\"version\":1}"),
            "b2433185513ec1da8ab85f4c045790c7ae44e326fdc23c0e0513fcc91985f832");
}

}  // namespace
}  // namespace fen

namespace fen {
namespace {

TEST(ClockTest, ParseIsStrict) {
  EXPECT_FALSE(ParseIsoMillis("206-11-26T20:1:24Z").has_value());  // fuzz finding
  EXPECT_FALSE(ParseIsoMillis("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIsoMillis("2025-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseIsoMillis("2024-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIsoMillis("2026-11-26T20:31:24.Z").has_value());
  EXPECT_FALSE(ParseIsoMillis("2026-11-26T20:31:24.690").has_value());
  EXPECT_EQ(FormatIsoMillis(*ParseIsoMillis("1970-01-01T00:00:00.001Z")),
            "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatIsoMillis(*ParseIsoMillis("0206-11-26T20:01:24Z")), "0206-11-26T20:01:24.000Z");
}

}  // namespace
}  // namespace fen
