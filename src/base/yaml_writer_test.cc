#include "fen/base/yaml_writer.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace fen {
namespace {

TEST(YamlWriterTest, MetadataShapeMatchesSwamp) {
  Json md = Json::object();
  md["id"] = "fa1cf8b5-3206-497a-ac18-f2051a99c417";
  md["name"] = "result";
  md["version"] = 1;
  md["contentType"] = "application/json";
  md["lifetime"] = "infinite";
  md["garbageCollection"] = 10;
  md["streaming"] = false;
  md["tags"] = {{"type", "report"}, {"reportName", "@swamp/method-summary"}};
  md["ownerDefinition"] = {{"ownerType", "model-method"}, {"ownerRef", "5f9277e4"}};
  md["createdAt"] = "2026-11-26T20:31:24.690Z";
  EXPECT_EQ(ToYaml(md),
            "id: fa1cf8b5-3206-497a-ac18-f2051a99c417\n"
            "name: result\n"
            "version: 1\n"
            "contentType: application/json\n"
            "lifetime: infinite\n"
            "garbageCollection: 10\n"
            "streaming: false\n"
            "tags:\n"
            "  type: report\n"
            "  reportName: '@swamp/method-summary'\n"
            "ownerDefinition:\n"
            "  ownerType: model-method\n"
            "  ownerRef: 5f9277e4\n"
            "createdAt: '2026-11-26T20:31:24.690Z'\n");
}

TEST(YamlWriterTest, DoubleQuoteStyleAndEmptyCollections) {
  Json m = Json::object();
  m["swampVersion"] = "20260206.200442.0";
  m["initializedAt"] = "2026-11-26T20:31:14.773Z";
  m["tools"] = Json::array();
  m["gitignoreManaged"] = true;
  YamlWriteOptions o;
  o.quote = YamlQuoteStyle::kDouble;
  EXPECT_EQ(ToYaml(m, o),
            "swampVersion: 20260206.200442.0\n"
            "initializedAt: \"2026-11-26T20:31:14.773Z\"\n"
            "tools: []\n"
            "gitignoreManaged: true\n");
}

TEST(YamlWriterTest, SequencesOfMappingsIndentedUnderKey) {
  Json r = Json::object();
  r["artifacts"]["dataArtifacts"] = Json::array({Json{
      {"dataId", "a"}, {"name", "result"}, {"version", 1}, {"tags", {{"type", "resource"}}}}});
  EXPECT_EQ(ToYaml(r),
            "artifacts:\n"
            "  dataArtifacts:\n"
            "    - dataId: a\n"
            "      name: result\n"
            "      version: 1\n"
            "      tags:\n"
            "        type: resource\n");
}

TEST(YamlWriterTest, QuotesWhatWouldNotReadBackAsTheSameString) {
  for (const char* s : {"true", "no", "null", "123", "1.5", "0x1F", "", " lead", "a: b", "x #c",
                        "-dash", "2026-11-26", "@at", "*star", "~"}) {
    EXPECT_FALSE(YamlPlainSafe(s)) << s;
  }
  for (const char* s : {"echo hello world", "date +%s%N; echo line2 >&2", "2026.02.09.1",
                        "command/shell", "a:b", "x#c"}) {
    EXPECT_TRUE(YamlPlainSafe(s)) << s;
  }
}

TEST(YamlWriterTest, RoundTripsThroughYamlCpp) {
  Json m = Json::object();
  m["multi"] = "line1\nline2\t'q' \"dq\" \\";
  m["quote"] = "it's";
  m["bool_like"] = "yes";
  m["num_like"] = "42";
  m["nested"] = {{"list", Json::array({"a", "-b", ""})}};
  YAML::Node n = YAML::Load(ToYaml(m));
  EXPECT_EQ(n["multi"].as<std::string>(), m["multi"].get<std::string>());
  EXPECT_EQ(n["quote"].as<std::string>(), "it's");
  EXPECT_EQ(n["bool_like"].as<std::string>(), "yes");
  EXPECT_EQ(n["num_like"].Tag(), "!");  // quoted: a string, not a number
  EXPECT_EQ(n["nested"]["list"][1].as<std::string>(), "-b");
  EXPECT_EQ(n["nested"]["list"][2].as<std::string>(), "");
}

}  // namespace
}  // namespace fen

namespace fen {
namespace {

TEST(YamlWriterTest, NumericAndTimestampDetection) {
  for (const char* s :
       {"1_000", "-5", "+.5", "1e10", "1.5E-3", "0o17", "0b101", "1:30", "190:20:30.15",
        "2026-11-26T20:31:24.690Z", "2001-12-14 21:59:43.10 -5", "2002-12-14"}) {
    EXPECT_FALSE(YamlPlainSafe(s)) << s;
  }
  for (const char* s : {"20260206.200442.0", "1.2.3", "v1", "1e", "12abc", "2026-11", "e10"}) {
    EXPECT_TRUE(YamlPlainSafe(s)) << s;
  }
}

}  // namespace
}  // namespace fen
