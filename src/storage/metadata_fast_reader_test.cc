#include "fen/storage/metadata_fast_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fen/storage/data_format.h"

namespace fen::storage {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every metadata.yaml swamp wrote in the fixture: the fast reader takes it and agrees exactly.
TEST(MetadataFastReaderTest, AgreesWithYamlCppOnEveryFixtureFile) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(FEN_FIXTURES_DIR) +
                                                                     "/swamp-repo/.swamp/data")) {
    if (e.path().filename() != "metadata.yaml") continue;
    ++files;
    const std::string text = ReadAll(e.path());
    auto reference = ParseMetadataYamlWithYamlCpp(text);
    ASSERT_TRUE(reference.ok()) << e.path() << ": " << reference.status().message();
    auto fast = TryParseMetadataYamlFast(text);
    ASSERT_TRUE(fast.has_value()) << e.path() << " declined";
    EXPECT_TRUE(*fast == *reference) << e.path();
  }
  EXPECT_EQ(files, 33);
}

DataRecord Sample() {
  DataRecord r;
  r.id = "0bee93f4-0c86-4a1b-8fae-6bbb6e793b97";
  r.name = "it's 7";
  r.version = 12;
  r.content_type = "application/json";
  r.lifetime = "7d";
  r.garbage_collection = std::string("2w");
  r.streaming = true;
  r.tags = {{"type", "resource"}, {"123", "true"}, {"with space", "a: b"}, {"q", "'x'"}};
  r.owner = {"workflow-step", "wf-1", {{"workflowId", "w"}, {"jobName", "j #1"}}};
  r.created_at = "2026-11-26T20:31:22.140Z";
  r.size = 0;
  r.checksum = "abc";
  r.deleted = true;
  r.renamed_to = "null";
  return r;
}

// What fen writes (MetadataToYaml, single-quote style) is read back by the fast reader, equal
// to the yaml-cpp result, for records that force quoting.
TEST(MetadataFastReaderTest, AgreesOnFenWrittenRecords) {
  DataRecord r = Sample();
  for (int variant = 0; variant < 4; ++variant) {
    if (variant == 1) {
      r.garbage_collection = int64_t{3};
      r.renamed_to.reset();
      r.deleted = false;
      r.checksum.reset();
    }
    if (variant == 2) r.name = "010";
    if (variant == 3) r.tags.push_back({"b", "yes"});
    const std::string text = MetadataToYaml(r);
    auto reference = ParseMetadataYamlWithYamlCpp(text);
    ASSERT_TRUE(reference.ok()) << text;
    auto fast = TryParseMetadataYamlFast(text);
    ASSERT_TRUE(fast.has_value()) << "declined:\n" << text;
    EXPECT_TRUE(*fast == *reference) << text;
    EXPECT_TRUE(*fast == r) << text;
  }
}

// Shapes the fast reader does not know: it declines, and ParseMetadataYaml gives exactly the
// yaml-cpp result (record or error).
TEST(MetadataFastReaderTest, DeclinesUnknownShapesAndParseFallsBack) {
  const std::string base = MetadataToYaml(Sample());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  const std::vector<std::string> declined = {
      replace("tags:\n", "tags: {type: resource}\n"),                               // flow mapping
      replace("version: 12", "version: &v 12"),                                     // anchor
      replace("version: 12", "version: !!str 12"),                                  // tag
      replace("version: 12", "version: 12 # comment"),                              // comment
      replace("contentType: application/json", "contentType: \"app\\u002fjson\""),  // escape
      replace("contentType: application/json", "contentType: >-\n  application/json"),
      replace("version: 12", "version: 12\nversion: 13"),  // duplicate key
      replace("version: 12", "version:\t12"),              // tab
      replace("version: 12\n", "version: 12\r\n"),         // CR
      replace("  type: resource", "    type: resource"),   // odd indentation
      replace("size: 0", "size: 0\nextra: 1"),             // unknown key
      replace("contentType: application/json", "contentType: application/\n  json"),
      "---\n" + base,                        // document marker
      replace("version: 12", "version: 0"),  // rejected by the reference
      replace("version: 12", "version: ~"),  // null
      "",
  };
  for (const std::string& text : declined) {
    EXPECT_FALSE(TryParseMetadataYamlFast(text).has_value()) << text;
    auto reference = ParseMetadataYamlWithYamlCpp(text);
    auto combined = ParseMetadataYaml(text);
    ASSERT_EQ(reference.ok(), combined.ok()) << text;
    if (reference.ok()) {
      EXPECT_TRUE(*reference == *combined) << text;
    } else {
      EXPECT_EQ(reference.status().message(), combined.status().message()) << text;
    }
  }
}

}  // namespace
}  // namespace fen::storage
