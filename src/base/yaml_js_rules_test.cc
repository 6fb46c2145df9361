#include "base/yaml_js_rules.h"

#include <gtest/gtest.h>

namespace fen {
namespace {

std::optional<std::string> Check(const std::string& text) {
  return ApplyJsYamlRules(YAML::Load(text));
}

TEST(YamlJsRulesTest, DistinctKeysPass) {
  EXPECT_EQ(Check("a: 1\nb: {a: 1, b: 2}\nc: [{a: 1}, {a: 2}]\n"), std::nullopt);
  EXPECT_EQ(Check("- a\n- a\n"), std::nullopt);  // repeated sequence items are fine
  EXPECT_EQ(Check(""), std::nullopt);
}

TEST(YamlJsRulesTest, RepeatedKeyAnywhereIsNamedWithItsPosition) {
  EXPECT_EQ(Check("a: 1\na: 2\n"), "duplicated mapping key 'a' (line 2, column 1)");
  EXPECT_EQ(Check("x:\n  - {k: 1, k: 2}\n"), "duplicated mapping key 'k' (line 2, column 12)");
  EXPECT_EQ(Check("'q': 1\nq: 2\n"), "duplicated mapping key 'q' (line 2, column 1)");
}

TEST(YamlJsRulesTest, DeepNestingDoesNotRecurse) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  // yaml-cpp itself may refuse such depth; if it loads, the check must not overflow the stack.
  try {
    EXPECT_EQ(ApplyJsYamlRules(YAML::Load(deep)), std::nullopt);
  } catch (const YAML::Exception&) {
  }
}

TEST(YamlJsRulesTest, AliasExpansionIsBounded) {
  // Nine levels of ten aliases each: 10^9 nodes once expanded, a few hundred bytes of text.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  EXPECT_EQ(Check(text), "YAML document too large (more than 1000000 nodes)");
}

// yaml-cpp 0.7 decodes "\N" and "\_" to the bytes 0x85 and 0xA0; js-yaml to U+0085 and U+00A0.
TEST(YamlJsRulesTest, NelAndNbspEscapesBecomeUtf8) {
  YAML::Node doc =
      YAML::Load("\"k\\N\": \"x\\Ny\\_z\"\nplain: caf\xc3\xa9 \xe2\x80\xa6\nu: \"\\u00e9\\x85\"\n");
  ASSERT_EQ(ApplyJsYamlRules(doc), std::nullopt);
  EXPECT_EQ(doc["k\xc2\x85"].as<std::string>(), "x\xc2\x85y\xc2\xa0z");
  EXPECT_EQ(doc["plain"].as<std::string>(), "caf\xc3\xa9 \xe2\x80\xa6");  // valid UTF-8 untouched
  EXPECT_EQ(doc["u"].as<std::string>(), "\xc3\xa9\xc2\x85");  // \u and \x were right already
  EXPECT_EQ(RepairYamlCppEscapes("a\x85\xa0\xc3\xa0"), "a\xc2\x85\xc2\xa0\xc3\xa0");
  EXPECT_EQ(RepairYamlCppEscapes("no change"), "no change");
}

}  // namespace
}  // namespace fen
