#include "base/yaml_mapping_keys.h"

#include <gtest/gtest.h>

namespace fen {
namespace {

std::optional<std::string> Check(const std::string& text) {
  return CheckDistinctMappingKeys(YAML::Load(text));
}

TEST(YamlMappingKeysTest, DistinctKeysPass) {
  EXPECT_EQ(Check("a: 1\nb: {a: 1, b: 2}\nc: [{a: 1}, {a: 2}]\n"), std::nullopt);
  EXPECT_EQ(Check("- a\n- a\n"), std::nullopt);  // repeated sequence items are fine
  EXPECT_EQ(Check(""), std::nullopt);
}

TEST(YamlMappingKeysTest, RepeatedKeyAnywhereIsNamedWithItsPosition) {
  EXPECT_EQ(Check("a: 1\na: 2\n"), "duplicated mapping key 'a' (line 2, column 1)");
  EXPECT_EQ(Check("x:\n  - {k: 1, k: 2}\n"), "duplicated mapping key 'k' (line 2, column 12)");
  EXPECT_EQ(Check("'q': 1\nq: 2\n"), "duplicated mapping key 'q' (line 2, column 1)");
}

TEST(YamlMappingKeysTest, DeepNestingDoesNotRecurse) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  // yaml-cpp itself may refuse such depth; if it loads, the check must not overflow the stack.
  try {
    EXPECT_EQ(CheckDistinctMappingKeys(YAML::Load(deep)), std::nullopt);
  } catch (const YAML::Exception&) {
  }
}

TEST(YamlMappingKeysTest, AliasExpansionIsBounded) {
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

}  // namespace
}  // namespace fen
