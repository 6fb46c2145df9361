#include "fen/models/run_inputs.h"

#include <gtest/gtest.h>

#include "models/model_test_util.h"

namespace fen::models {
namespace {

TEST(RunInputsTest, KeyValueDottedJsonAndFiles) {
  testing::TempDir tmp;
  testing::WriteText(tmp.path() + "/cmd.txt", "echo from file");
  auto j = ParseRunInputs(
      Env::Default(),
      {"run=echo a=b", "env.FOO=bar", "env.BAZ=qux", "timeout:json=5000",
       "workingDir=@" + tmp.path() + "/cmd.txt", "who=\\@literal", "scope=@acme/thing"},
      "");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(ToCompactJson(*j),
            "{\"run\":\"echo a=b\",\"env\":{\"FOO\":\"bar\",\"BAZ\":\"qux\"},\"timeout\":5000,"
            "\"workingDir\":\"echo from file\",\"who\":\"@literal\",\"scope\":\"@acme/thing\"}");
}

TEST(RunInputsTest, SingleJsonObjectAndInputFileBase) {
  testing::TempDir tmp;
  testing::WriteText(tmp.path() + "/in.yaml", "run: echo base\nenv:\n  A: '1'\n");
  auto j = ParseRunInputs(Env::Default(), {"env.B=2"}, tmp.path() + "/in.yaml");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(ToCompactJson(*j), "{\"run\":\"echo base\",\"env\":{\"A\":\"1\",\"B\":\"2\"}}");
  auto obj = ParseRunInputs(Env::Default(), {R"({"run":"echo json","timeout":5})"}, "");
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ((*obj)["timeout"], 5);
  EXPECT_FALSE(ParseRunInputs(Env::Default(), {"{not json"}, "").ok());
}

TEST(RunInputsTest, Errors) {
  auto missing = ParseRunInputs(Env::Default(), {"novalue"}, "");
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArguments);
  EXPECT_EQ(missing.status().message(),
            "Invalid input format: \"novalue\". Expected key=value format.");
  EXPECT_FALSE(ParseRunInputs(Env::Default(), {"=x"}, "").ok());
  EXPECT_FALSE(ParseRunInputs(Env::Default(), {"a:json={"}, "").ok());
  EXPECT_FALSE(ParseRunInputs(Env::Default(), {"a=@/nonexistent/file"}, "").ok());
  EXPECT_FALSE(ParseRunInputs(Env::Default(), {}, "/nonexistent.yaml").ok());
  auto tag = ParseTags({"k=v", "bad"});
  EXPECT_EQ(tag.status().message(), "Invalid tag format: \"bad\". Expected KEY=VALUE");
  EXPECT_FALSE(ParseTags({"=v"}).ok());
  auto tags = ParseTags({"a=1", "b=2", "a=3"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].second, "3");
}

TEST(RunInputsTest, Durations) {
  EXPECT_EQ(*ParseDurationMillis("30"), 30000);
  EXPECT_EQ(*ParseDurationMillis("30s"), 30000);
  EXPECT_EQ(*ParseDurationMillis("5m"), 300000);
  EXPECT_EQ(*ParseDurationMillis("1h"), 3600000);
  EXPECT_EQ(*ParseDurationMillis("250ms"), 250);
  EXPECT_EQ(ParseDurationMillis("soon").status().code(), ErrorCode::kInvalidArguments);
}

}  // namespace
}  // namespace fen::models
