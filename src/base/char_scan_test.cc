#include "fen/base/char_scan.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace fen::scan {
namespace {

// The scanners replace these regular expressions: they must agree on every input.
TEST(CharScanTest, AgreesWithTheRegularExpressionsItReplaces) {
  const std::regex int_re(R"(^[-+]?[0-9]+$)");
  const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  std::vector<std::string> inputs = {"",    "0",     "-1",      "+12",   "1.",   ".5",    "1.5",
                                     "-.5", "+1.e3", "1e",      "1e+",   "1e-3", "1E9",   ".",
                                     "-",   "+",     "e3",      "1.2.3", "0x1f", "1_000", " 1",
                                     "1 ",  "--1",   "1.5e3.2", "12a"};
  // Every string of up to 4 characters over the alphabet that matters.
  const std::string alphabet = "09.-+eE";
  std::vector<std::string> frontier = {""};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const auto& p : frontier) {
      for (char c : alphabet) next.push_back(p + c);
    }
    inputs.insert(inputs.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  for (const auto& s : inputs) {
    EXPECT_EQ(IsDecimalInteger(s), std::regex_match(s, int_re)) << "'" << s << "'";
    EXPECT_EQ(IsDecimalFloat(s), std::regex_match(s, float_re)) << "'" << s << "'";
  }
}

TEST(CharScanTest, TimestampAgreesWithJsYamlsRegularExpression) {
  const std::regex re(
      R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$)");
  std::vector<std::string> inputs = {"2026-11-26",
                                     "2026-1-2",
                                     "2026-11-26T10:00:00",
                                     "2026-11-26t1:00:00",
                                     "2026-11-26 10:00:00",
                                     "2026-11-26  \t1:00:00.5",
                                     "2026-11-26T10:00:00.123Z",
                                     "2026-11-26T10:00:00Z",
                                     "2026-11-26T10:00:00 Z",
                                     "2026-11-26T10:00:00+1",
                                     "2026-11-26T10:00:00-01:30",
                                     "2026-11-26T10:00:00+01:3",
                                     "2026-11-26T10:00:00.",
                                     "2026-11-26T10:00",
                                     "2026-111-26T10:00:00",
                                     "202-11-26",
                                     "2026-11-26T100:00:00",
                                     "2026-11-26T10:00:00Zz",
                                     "2026-11-26T10:00:00 +01:00",
                                     "2026-11-26X10:00:00",
                                     ""};
  // Mutations of a full timestamp: every single-character deletion, and every substitution
  // by a character that matters to the grammar.
  const std::string full = "2026-11-26T10:00:00.5 +01:30";
  const std::string alphabet = "0-:.TtZ +\tx";
  for (size_t i = 0; i < full.size(); ++i) {
    inputs.push_back(full.substr(0, i) + full.substr(i + 1));
    inputs.push_back(full.substr(0, i));
    for (char c : alphabet) {
      std::string m = full;
      m[i] = c;
      inputs.push_back(m);
      inputs.push_back(full.substr(0, i) + c + full.substr(i));
    }
  }
  for (const auto& s : inputs) {
    EXPECT_EQ(IsYamlTimestamp(s), std::regex_match(s, re)) << "'" << s << "'";
  }
}

TEST(CharScanTest, SpanAndNonEmptyAll) {
  EXPECT_EQ(Span("abc123-", 0, IsLowerAlnum), 6u);
  EXPECT_EQ(Span("abc", 3, IsLowerAlnum), 3u);
  EXPECT_TRUE(NonEmptyAll("0f9A", IsHexDigit));
  EXPECT_FALSE(NonEmptyAll("", IsHexDigit));
  EXPECT_FALSE(NonEmptyAll("0g", IsHexDigit));
}

TEST(CharScanTest, Utf8ValidationFollowsRfc3629) {
  EXPECT_EQ(FirstNonPrintableYaml(""), std::string_view::npos);
  EXPECT_EQ(FirstNonPrintableYaml("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FirstNonPrintableYaml("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FirstNonPrintableYaml("a\xfe"), 1u);             // never valid
  EXPECT_EQ(FirstNonPrintableYaml("ab\xc0\xaf"), 2u);        // overlong '/'
  EXPECT_EQ(FirstNonPrintableYaml("\xed\xa0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(FirstNonPrintableYaml("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FirstNonPrintableYaml("ok\xe2\x82"), 2u);        // cut off
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82", 0), -1);
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82\xac", 0), 3);
}

// js-yaml's PATTERN_NON_PRINTABLE, on the code points of valid UTF-8.
TEST(CharScanTest, NonPrintableYamlMatchesJsYaml) {
  EXPECT_EQ(FirstNonPrintableYaml("a: b\tc\r\n\xc2\x85\xc2\xa0\xef\xbb\xbf\xf0\x9f\x98\x80"),
            std::string_view::npos);
  EXPECT_EQ(FirstNonPrintableYaml(std::string("ab\0", 3)), 2u);
  EXPECT_EQ(FirstNonPrintableYaml("a\x0b"), 1u);
  EXPECT_EQ(FirstNonPrintableYaml("a\x1f"), 1u);
  EXPECT_EQ(FirstNonPrintableYaml("a\x7f"), 1u);
  EXPECT_EQ(FirstNonPrintableYaml("a\xc2\x80"), 1u);                          // U+0080
  EXPECT_EQ(FirstNonPrintableYaml("a\xc2\x9f"), 1u);                          // U+009F
  EXPECT_EQ(FirstNonPrintableYaml("a\xef\xbf\xbe"), 1u);                      // U+FFFE
  EXPECT_EQ(FirstNonPrintableYaml("a\xef\xbf\xbd"), std::string_view::npos);  // U+FFFD
  EXPECT_EQ(FirstNonPrintableYaml("a\xfe"), 1u);                              // not UTF-8
}

}  // namespace
}  // namespace fen::scan
