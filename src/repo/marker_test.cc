#include "fen/repo/marker.h"

#include <gtest/gtest.h>

#include "repo/repo_test_util.h"

namespace fen {
namespace {

using repo_test::ReadText;
using repo_test::TempDir;
using repo_test::WriteText;

TEST(MarkerTest, ParsesFixtureMarker) {
  auto m = Marker::Load(Env::Default(), std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.swamp.yaml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->swamp_version(), "20260206.200442.0");
  EXPECT_EQ(m->initialized_at(), "2026-11-26T20:31:14.773Z");
  EXPECT_EQ(m->repo_id(), "489f4f28-f669-41ef-871f-c9a8e92aeb3f");
  EXPECT_TRUE(m->tools().empty());
  EXPECT_TRUE(m->gitignore_managed());
  EXPECT_FALSE(m->auto_gc());
  EXPECT_TRUE(m->datastore().is_null());
}

TEST(MarkerTest, FixtureRoundTripsByteForByte) {
  std::string text = ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.swamp.yaml");
  auto m = Marker::Parse(text, ".swamp.yaml");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ToText(), text);
}

TEST(MarkerTest, FreshMarkerHasSwampKeyOrderAndQuoting) {
  Marker m = Marker::Fresh({}, "2026-11-26T20:31:14.773Z", "489f4f28-f669-41ef-871f-c9a8e92aeb3f");
  EXPECT_EQ(m.ToText(), ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.swamp.yaml"));
}

TEST(MarkerTest, UnknownKeysSurviveRewriteInOrder) {
  const std::string text =
      "swampVersion: 20260206.200442.0\n"
      "customFirst: keep me\n"
      "initializedAt: \"2026-11-26T20:31:14.773Z\"\n"
      "telemetryKeepFlushed: 5\n"
      "ratio: 1.5\n"
      "quotedNumber: \"42\"\n"
      "nested:\n"
      "  a: 1\n"
      "  list:\n"
      "    - x\n"
      "    - true\n"
      "empty:\n"
      "tools:\n"
      "  - cursor\n"
      "autoGc: true\n"
      "zLast: 'single quoted: yes'\n";
  auto m = Marker::Parse(text, "/r/.swamp.yaml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  m->Set("repoId", "00000000-0000-4000-8000-000000000000");  // a new key goes last
  m->Set("autoGc", false);                                   // an existing key keeps its place
  EXPECT_EQ(m->ToText(),
            "swampVersion: 20260206.200442.0\n"
            "customFirst: keep me\n"
            "initializedAt: \"2026-11-26T20:31:14.773Z\"\n"
            "telemetryKeepFlushed: 5\n"
            "ratio: 1.5\n"
            "quotedNumber: \"42\"\n"
            "nested:\n"
            "  a: 1\n"
            "  list:\n"
            "    - x\n"
            "    - true\n"
            "empty: null\n"
            "tools:\n"
            "  - cursor\n"
            "autoGc: false\n"
            "zLast: \"single quoted: yes\"\n"
            "repoId: 00000000-0000-4000-8000-000000000000\n");
  // And the rewrite reads back to the same document.
  auto again = Marker::Parse(m->ToText(), "x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->document(), m->document());
}

TEST(MarkerTest, LegacyToolIsPromotedInPlace) {
  auto m = Marker::Parse("swampVersion: x\ntool: claude\nother: 1\n", "p");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->tools(), std::vector<std::string>{"claude"});
  EXPECT_EQ(m->ToText(), "swampVersion: x\ntools:\n  - claude\nother: 1\n");
  auto none = Marker::Parse("tool: none\n", "p");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tools().empty());
  EXPECT_EQ(none->ToText(), "tools: []\n");
}

TEST(MarkerTest, RemovedDriverKeysFailWithUserError) {
  for (const char* key : {"defaultDriver", "defaultDriverConfig"}) {
    auto m = Marker::Parse(std::string("swampVersion: x\n") + key + ": docker\n", "/r/.swamp.yaml");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), ErrorCode::kInvalidConfig);
    EXPECT_NE(m.status().message().find(key), std::string::npos);
    EXPECT_NE(m.status().message().find("/r/.swamp.yaml"), std::string::npos);
  }
}

TEST(MarkerTest, MalformedYamlIsOneLineErrorNamingTheFile) {
  auto m = Marker::Parse("swampVersion: [unclosed\n", "/r/.swamp.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(m.status().message().rfind("Invalid /r/.swamp.yaml: malformed YAML", 0), 0u)
      << m.status().message();
  EXPECT_EQ(m.status().message().find('\n'), std::string::npos);
}

TEST(MarkerTest, DuplicatedKeyIsRejectedNamingKeyAndLine) {
  auto m = Marker::Parse("swampVersion: x\nlogLevel: info\nlogLevel: debug\n", "/r/.swamp.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(m.status().message(),
            "Invalid /r/.swamp.yaml: malformed YAML: duplicated mapping key 'logLevel' (line 3, "
            "column 1)");
}

// Fuzz finding (fuzz/regressions/marker_yaml/invalid-utf8-key): stray bytes were accepted and
// written back as a key starting with FE FF, which reads as a UTF-16 byte-order mark.
TEST(MarkerTest, InvalidUtf8IsRejectedNamingTheByte) {
  auto m = Marker::Parse(" \xfe\xff\xff\xeb\xa9:", "/r/.swamp.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "Invalid /r/.swamp.yaml: malformed YAML: invalid UTF-8 or a non-printable character "
            "(byte 2)");
  // A raw NUL (yaml-cpp read it back as a lone 0x85 byte: fuzz/regressions/marker_yaml/).
  EXPECT_FALSE(Marker::Parse(std::string("swampVersion: \"1\0N\"\n", 20), "p").ok());
  EXPECT_TRUE(Marker::Parse("logLevel: \xc3\xa9t\xc3\xa9\n", "p").ok());  // UTF-8 is fine
}

// Fuzz finding (fuzz/regressions/marker_yaml/nel-escape): yaml-cpp decoded "\N" to a lone 0x85
// byte, and fen wrote back a file that is not UTF-8.
TEST(MarkerTest, NelEscapeRoundTrips) {
  auto m = Marker::Parse("swampVersion: \"x\\Ny\"\n", "p");
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto back = Marker::Parse(m->ToText(), "p");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << m->ToText();
  EXPECT_EQ(back->ToText(), m->ToText());
}

TEST(MarkerTest, NonMappingAndWrongTypesAreRejected) {
  EXPECT_EQ(Marker::Parse("- a\n- b\n", "p").status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(Marker::Parse("autoGc: maybe\n", "p").status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(Marker::Parse("tools: claude\n", "p").status().code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(Marker::Parse("datastore: 5\n", "p").status().code(), ErrorCode::kInvalidConfig);
  EXPECT_TRUE(Marker::Parse("", "p").ok());  // empty file = empty mapping
}

TEST(MarkerTest, SaveIsAtomicAndLeavesNoTempFiles) {
  TempDir dir;
  const std::string path = dir / ".swamp.yaml";
  WriteText(path, "old: 1\n");
  Marker m = Marker::Fresh({"claude"}, "2026-01-01T00:00:00.000Z", "id");
  ASSERT_TRUE(m.Save(Env::Default(), path).ok());
  EXPECT_EQ(ReadText(path), m.ToText());
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(MarkerTest, SaveIntoMissingDirectoryFailsWithoutCreatingIt) {
  TempDir dir;
  Marker m;
  Status s = m.Save(Env::Default(), dir / "missing/.swamp.yaml");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(repo_test::Exists(dir / "missing"));
}

}  // namespace
}  // namespace fen
