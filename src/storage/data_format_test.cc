#include "fen/storage/data_format.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace fen::storage {
namespace {

std::string ReadFixture(const std::string& rel) {
  std::ifstream in(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.swamp/data/command/shell/" + rel,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char kCounter[] = "5f9277e4-133a-42e4-848a-8f0df54b77c7/";

TEST(DataFormatTest, NormalizeModelType) {
  EXPECT_EQ(*NormalizeModelType("AWS::EC2::VPC"), "aws/ec2/vpc");
  EXPECT_EQ(*NormalizeModelType("docker run"), "docker/run");
  EXPECT_EQ(*NormalizeModelType("Command/Shell"), "command/shell");
  EXPECT_EQ(*NormalizeModelType("@user/foo"), "@user/foo");
  EXPECT_EQ(*NormalizeModelType("  a \t b..c//d/ "), "a/b/c/d");
  EXPECT_EQ(NormalizeModelType("  ").status().message(), "Model type cannot be empty");
  EXPECT_EQ(NormalizeModelType("/./").status().message(),
            "Model type normalization resulted in empty string");
}

TEST(DataFormatTest, DataNameRules) {
  const std::string msg =
      "Data name must not contain '..', '/', '\\\\', or null bytes (path traversal)";
  for (const std::string& bad :
       std::vector<std::string>{"..", "a/b", "a\\b", std::string("a\0b", 3), ".", "x..y"}) {
    Status s = ValidateDataName(bad);
    EXPECT_EQ(s.message(), msg) << bad;
    EXPECT_EQ(s.code(), ErrorCode::kValidationFailed);
  }
  EXPECT_TRUE(ValidateDataName("latest").ok());
  EXPECT_EQ(ValidateDataNameForWrite("LaTeSt").message(),
            "Data name 'LaTeSt' is reserved for internal use. Use a different name.");
  EXPECT_TRUE(ValidateDataNameForWrite("result").ok());
  EXPECT_EQ(ValidateModelIdSegment("..").code(), ErrorCode::kPathTraversal);
  EXPECT_EQ(ValidateModelIdSegment(".").message(),
            "Path traversal detected: modelId \".\" resolves outside expected directory");
}

TEST(DataFormatTest, LifetimeAndGc) {
  EXPECT_EQ(*NormalizeLifetime("infinite"), "infinite");
  EXPECT_EQ(*NormalizeLifetime("30d"), "30d");
  EXPECT_EQ(*NormalizeLifetime("0h"), "workflow");
  EXPECT_EQ(*NormalizeLifetime("00d"), "workflow");
  EXPECT_EQ(NormalizeLifetime("3x").status().message(),
            "Duration must match pattern like '1h', '5m', '10d', '2w', '1mo', '10y'");
  EXPECT_EQ(*ParseDurationMillis("1mo"), 30LL * 86400000);
  EXPECT_EQ(*ParseDurationMillis("2m"), 120000);
  EXPECT_TRUE(ValidateGcPolicy(GcPolicy{int64_t{5}}).ok());
  EXPECT_FALSE(ValidateGcPolicy(GcPolicy{int64_t{0}}).ok());
  EXPECT_EQ(ValidateGcPolicy(GcPolicy{std::string("0d")}).message(),
            "Garbage collection duration must be greater than zero");
  EXPECT_TRUE(ValidateGcPolicy(GcPolicy{std::string("7d")}).ok());
}

TEST(DataFormatTest, VersionParses) {
  EXPECT_EQ(ParseVersionStrict("12"), 12);
  EXPECT_FALSE(ParseVersionStrict("012"));
  EXPECT_FALSE(ParseVersionStrict("2foo"));
  EXPECT_FALSE(ParseVersionStrict("latest"));
  EXPECT_FALSE(ParseVersionStrict(".fen-stage-1"));
  EXPECT_EQ(ParseVersionLenient("2foo"), 2);
  EXPECT_FALSE(ParseVersionLenient(".fen-stage-123"));
  EXPECT_FALSE(ParseVersionLenient("0"));
  EXPECT_EQ(ParseMarkerText(" 5\n"), 5);
  EXPECT_FALSE(ParseMarkerText("garbage"));
}

TEST(DataFormatTest, FixtureRecordsRoundTripByteForByte) {
  for (std::string rel : {"result/1", "log/6", "log-renamed/1", "report-swamp-method-summary/1",
                          "report-swamp-method-summary-json/5", "log/5"}) {
    std::string text = ReadFixture(std::string(kCounter) + rel + "/metadata.yaml");
    ASSERT_FALSE(text.empty()) << rel;
    auto rec = ParseMetadataYaml(text);
    ASSERT_TRUE(rec.ok()) << rel << ": " << rec.status().message();
    EXPECT_EQ(MetadataToYaml(*rec), text) << rel;
  }
  auto tomb = ParseMetadataYaml(ReadFixture(std::string(kCounter) + "log/6/metadata.yaml"));
  EXPECT_TRUE(tomb->deleted);
  EXPECT_EQ(tomb->renamed_to, "log-renamed");
  EXPECT_FALSE(tomb->size);
  auto rep = ParseMetadataYaml(
      ReadFixture(std::string(kCounter) + "report-swamp-method-summary/1/metadata.yaml"));
  EXPECT_EQ(rep->TagOr("reportName"), "@swamp/method-summary");
  EXPECT_EQ(std::get<int64_t>(rep->garbage_collection), 5);
}

std::string Minimal(const std::string& extra_created = "'2026-11-26T20:31:24.690Z'") {
  return "id: fa1cf8b5-3206-497a-ac18-f2051a99c417\nname: result\nversion: 1\n"
         "contentType: application/json\nlifetime: 0h\ngarbageCollection: 10\n"
         "tags:\n  type: resource\nownerDefinition:\n  ownerType: manual\n  ownerRef: me\n"
         "createdAt: " +
         extra_created + "\nunknownKey: 1\n";
}

TEST(DataFormatTest, ParseValidation) {
  auto ok = ParseMetadataYaml(Minimal());
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->lifetime, "workflow");  // 0h normalised on read
  EXPECT_FALSE(ok->streaming);
  auto unquoted = ParseMetadataYaml(Minimal("2026-11-26T20:31:24.690Z"));
  EXPECT_EQ(unquoted.status().code(), ErrorCode::kCorruptData);
  EXPECT_EQ(unquoted.status().message(), "field 'createdAt' must be a string");
  EXPECT_EQ(ParseMetadataYaml("id: [").status().code(), ErrorCode::kCorruptData);
  EXPECT_EQ(ParseMetadataYaml("").status().code(), ErrorCode::kCorruptData);
  std::string no_type = Minimal();
  no_type.replace(no_type.find("type: resource"), 14, "kind: resource");
  EXPECT_EQ(ParseMetadataYaml(no_type).status().message(), "tags must include 'type' key");
  // A repeated key (yaml-cpp keeps both; js-yaml refuses the file): corrupt, not half-read
  // (fuzz finding, fuzz/regressions/metadata_yaml/duplicate-tag-key).
  std::string dup_tag = Minimal();
  dup_tag.replace(dup_tag.find("  type: resource"), 16, "  type: resource\n  type: other");
  auto dup = ParseMetadataYaml(dup_tag);
  EXPECT_EQ(dup.status().code(), ErrorCode::kCorruptData);
  EXPECT_EQ(dup.status().message(),
            "invalid YAML: duplicated mapping key 'type' (line 9, column 3)");
  EXPECT_EQ(ParseMetadataYaml(Minimal() + "name: other\n").status().code(),
            ErrorCode::kCorruptData);
  std::string bad_gc = Minimal();
  bad_gc.replace(bad_gc.find("garbageCollection: 10"), 21, "garbageCollection: 0d");
  EXPECT_EQ(ParseMetadataYaml(bad_gc).status().message(),
            "Garbage collection duration must be greater than zero");
}

}  // namespace
}  // namespace fen::storage
