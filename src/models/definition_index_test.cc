// The definition index (src/models/definition_index.h, docs/design/models.md §11): a lookup
// through it parses only the file it returns, and its answer and warnings always equal a
// lookup that parses every file, whatever happened to the files in between.
#include "models/definition_index.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fen/models/definition_repository.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

using testing::Slurp;
using testing::TempDir;
using testing::WriteText;
namespace fs = std::filesystem;

std::string Def(const std::string& name, const std::string& id) {
  return "type: command/shell\nid: " + id + "\nname: " + name +
         "\nversion: 1\nglobalArguments:\n  run: 'true'\nmethods: {}\n";
}

const char kIdA[] = "11111111-0000-4000-8000-00000000000a";
const char kIdB[] = "11111111-0000-4000-8000-00000000000b";
const char kIdC[] = "11111111-0000-4000-8000-00000000000c";

class DefinitionIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = tmp_.path();
    dir_ = repo_ + "/models/command/shell";
    fs::create_directories(dir_);
    fs::create_directories(repo_ + "/.swamp");
    WriteText(dir_ + "/a.yaml", Def("a", kIdA));
    WriteText(dir_ + "/b.yaml", Def("b", kIdB));
    WriteText(dir_ + "/c.yaml", Def("c", kIdC));
    WriteText(dir_ + "/broken.yaml", "name: [unclosed\n");
  }

  // Looks `key` up with the index (a fresh repository, as a new process would) and by parsing
  // every file, requires the same definition path and warnings, and returns how many files
  // the index lookup parsed.
  int ExpectSameAsFullParse(const std::string& key, const std::string& step) {
    DefinitionRepository full(Env::Default(), repo_, repo_ + "/.swamp");
    std::vector<std::string> full_warnings;
    auto want = full.Find(key, &full_warnings);
    DefinitionRepository indexed(Env::Default(), repo_, repo_ + "/.swamp");
    indexed.EnableIndex(racy_window_ns_);
    std::vector<std::string> warnings;
    auto got = indexed.Find(key, &warnings);
    EXPECT_TRUE(want.ok() && got.ok()) << step;
    if (!want.ok() || !got.ok()) return -1;
    EXPECT_EQ(got->has_value(), want->has_value()) << step << ": " << key;
    if (got->has_value() && want->has_value()) {
      EXPECT_EQ((*got)->path, (*want)->path) << step;
      EXPECT_EQ((*got)->id, (*want)->id) << step;
      EXPECT_EQ((*got)->name, (*want)->name) << step;
    }
    EXPECT_EQ(warnings, full_warnings) << step;
    return indexed.parse_count();
  }

  std::string IndexPath() const { return repo_ + "/.swamp/.fen/definition-index"; }

  TempDir tmp_;
  std::string repo_, dir_;
  int64_t racy_window_ns_ = 0;
};

TEST_F(DefinitionIndexTest, ALookupParsesOnlyTheDefinitionItReturns) {
  EXPECT_EQ(ExpectSameAsFullParse("b", "cold"), 4);  // every file, once
  EXPECT_TRUE(fs::exists(IndexPath()));
  EXPECT_EQ(ExpectSameAsFullParse("b", "warm by name"), 1);
  EXPECT_EQ(ExpectSameAsFullParse(kIdC, "warm by id"), 1);
  EXPECT_EQ(ExpectSameAsFullParse("nope", "warm, not found"), 0);
  // The broken file's warning comes from the index too.
  DefinitionRepository defs(Env::Default(), repo_, repo_ + "/.swamp");
  defs.EnableIndex(0);
  std::vector<std::string> warnings;
  ASSERT_TRUE(defs.Find("a", &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("Skipping broken definition file " + dir_ + "/broken.yaml: ", 0), 0u);
}

TEST_F(DefinitionIndexTest, EveryChangeToTheFilesIsSeen) {
  ExpectSameAsFullParse("a", "cold");
  // Rewritten in place, same size: the stamp (mtime, ctime) differs.
  WriteText(dir_ + "/b.yaml", Def("e", kIdB));
  EXPECT_EQ(ExpectSameAsFullParse("e", "renamed in place"), 1);
  ExpectSameAsFullParse("b", "old name gone");
  // Moved to another file name: a new path, the old entry dropped.
  fs::rename(dir_ + "/a.yaml", dir_ + "/z.yaml");
  ExpectSameAsFullParse("a", "moved");
  // Repaired, removed, replaced by a broken file.
  WriteText(dir_ + "/broken.yaml", Def("d", "11111111-0000-4000-8000-00000000000d"));
  ExpectSameAsFullParse("d", "repaired");
  fs::remove(dir_ + "/c.yaml");
  ExpectSameAsFullParse("c", "removed");
  ExpectSameAsFullParse(kIdC, "removed, by id");
  WriteText(dir_ + "/z.yaml", "name: a\nid: [\n");
  ExpectSameAsFullParse("a", "broken now");
  // A subdirectory and a second name: walk order decides, as without the index.
  fs::create_directories(dir_ + "/sub");
  WriteText(dir_ + "/sub/dup.yaml", Def("e", "11111111-0000-4000-8000-0000000000ee"));
  ExpectSameAsFullParse("e", "duplicate name");
  EXPECT_EQ(ExpectSameAsFullParse("e", "duplicate name, warm"), 1);
}

TEST_F(DefinitionIndexTest, AnUnusableIndexIsIgnoredAndReplaced) {
  ExpectSameAsFullParse("a", "cold");
  for (const std::string& garbage :
       {std::string("{\"format\":\"fen-definition-index-0\",\"entries\":[]}"),
        std::string("{\"format\":1,\"entries\":[]}"), std::string("{"), std::string(),
        std::string("\xff\xfe garbage")}) {
    WriteText(IndexPath(), garbage);
    EXPECT_EQ(ExpectSameAsFullParse("a", "garbage index"), 4);
    EXPECT_NE(Slurp(IndexPath()).find("fen-definition-index-1"), std::string::npos);
    EXPECT_EQ(ExpectSameAsFullParse("a", "rewritten"), 1);
  }
}

// The returned file is always parsed and checked: an entry that claims another name for a file
// (forged, or from a file changed between its stat and its read) makes the lookup fall back to
// parsing every file, with that lookup's warnings only.
TEST_F(DefinitionIndexTest, AReturnedFileThatContradictsItsEntryFallsBackToTheFullParse) {
  ExpectSameAsFullParse("a", "cold");
  std::string index = Slurp(IndexPath());
  const std::string from = "\"name\":\"a\"";
  const size_t at = index.find(from);
  ASSERT_NE(at, std::string::npos);
  index.replace(at, from.size(), "\"name\":\"ghost\"");
  WriteText(IndexPath(), index);
  // The index says a.yaml is "ghost"; the file says "a": not found, as the full parse says,
  // with the broken file's warning once.
  EXPECT_EQ(ExpectSameAsFullParse("ghost", "forged name"), 4);
}

// An entry is trusted only once its file had not changed for the racy window before the
// entry was recorded: a rewrite in the same timestamp tick could otherwise go unseen.
TEST_F(DefinitionIndexTest, FilesChangedJustBeforeTheRecordingAreParsedAgain) {
  racy_window_ns_ = 3'600'000'000'000;  // an hour: every file here is "just changed"
  EXPECT_EQ(ExpectSameAsFullParse("a", "cold"), 4);
  EXPECT_EQ(ExpectSameAsFullParse("a", "still racy"), 4);
  // The same entries, judged with a window the files have left behind, answer.
  racy_window_ns_ = 0;
  EXPECT_EQ(ExpectSameAsFullParse("a", "settled"), 1);
}

}  // namespace
}  // namespace fen::models
