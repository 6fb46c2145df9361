#include "fen/base/clock.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(FormatIsoMillis(*ParseIsoMillis("1970-01-01T00:00:00.001Z")), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatIsoMillis(*ParseIsoMillis("0206-11-26T20:01:24Z")), "0206-11-26T20:01:24.000Z");
}

}  // namespace
}  // namespace fen
