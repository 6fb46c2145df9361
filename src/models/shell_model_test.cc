#include "fen/models/shell_model.h"

#include <gtest/gtest.h>

#include "models/model_test_util.h"

namespace fen::models {
namespace {

TEST(ShellModelTest, MethodsMatchCreateFixture) {
  Json fixture = Json::parse(
      testing::Slurp(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/create_hello.json"));
  EXPECT_EQ(ToPrettyJson(ShellMethodsDescription()), ToPrettyJson(fixture["methods"]));
}

TEST(ShellModelTest, CoercesStrings) {
  auto a = ValidateShellArguments(Json::parse(
      R"({"run":"x","timeout":"5000","ignoreExitCode":"true","env":"{\"A\":\"1\"}","extra":1})"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a->timeout_ms, 5000);
  EXPECT_TRUE(a->ignore_exit_code);
  ASSERT_EQ(a->env.size(), 1u);
  EXPECT_EQ(a->env[0].second, "1");
}

TEST(ShellModelTest, ValidationMessages) {
  auto missing = ValidateShellArguments(Json::object());
  EXPECT_EQ(missing.status().code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(missing.status().message(),
            "Method arguments validation failed: Invalid input: expected string, received "
            "undefined at \"run\"");
  auto several = ValidateShellArguments(
      Json::parse(R"({"run":"","timeout":-1,"ignoreExitCode":"maybe","env":{"A":1}})"));
  EXPECT_EQ(several.status().message(),
            "Method arguments validation failed: Too small: expected string to have >=1 "
            "characters at \"run\"; Too small: expected number to be >0 at \"timeout\"; Invalid "
            "input: expected string, received number at \"env.A\"; Invalid input: expected "
            "boolean, received string at \"ignoreExitCode\"");
  EXPECT_EQ(ValidateShellArguments(Json::parse(R"({"run":"x","timeout":1.5})")).status().message(),
            "Method arguments validation failed: Invalid input: expected int, received number at "
            "\"timeout\"");
  EXPECT_EQ(ValidateShellArguments(Json::parse(R"({"run":5})")).status().message(),
            "Method arguments validation failed: Invalid input: expected string, received number "
            "at \"run\"");
}

}  // namespace
}  // namespace fen::models
