// DataStore::CommitTogether: several versions and a participant's files in four fsync rounds
// (docs/design/storage.md §6). Crash trials of the same path: tests/crash_injection_test.cc.
#include <gtest/gtest.h>

#include <filesystem>

#include "env/fault_injection_env.h"
#include "fen/storage/data_store.h"
#include "fen/storage/filesystem_data_store.h"
#include "storage/storage_test_util.h"
#include "support/record_participant.h"

namespace fen::storage {
namespace {

using testing::Exists;
using testing::Slurp;
using testing::TempDir;

const char kModel[] = "5f9277e4-133a-42e4-848a-8f0df54b77c7";

DataRecord Record(const std::string& type_tag) {
  DataRecord r;
  r.content_type = "text/plain";
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{10};
  r.tags = {{"type", type_tag}, {"modelName", "counter"}};
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = kModel;
  return r;
}

using Recorder = testsupport::RecordParticipant;

class CommitTogetherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_.data_root = dir_.path() + "/.swamp/data";
    layout_.fen_dir = dir_.path() + "/.swamp/.fen";
    store_ = OpenFilesystemDataStore(Env::Default(), layout_);
  }
  std::string NameDir(const std::string& name) const {
    return layout_.data_root + "/command/shell/" + kModel + "/" + name;
  }
  static ArtifactKey Key(const std::string& name) {
    return ArtifactKey{"command/shell", kModel, name};
  }
  std::unique_ptr<VersionWriter> Begin(DataStore* store, const std::string& name,
                                       const std::string& content) {
    auto w = store->BeginVersion(Key(name), Record(name == "log" ? "file" : "resource"));
    EXPECT_TRUE(w.ok()) << w.status().message();
    EXPECT_TRUE((*w)->Append(content).ok());
    return std::move(w).value();
  }
  std::vector<std::string> Entries(const std::string& dir) const {
    std::vector<std::string> names;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  TempDir dir_;
  FilesystemLayout layout_;
  std::unique_ptr<DataStore> store_;
};

TEST_F(CommitTogetherTest, CommitsEveryVersionAndCallsTheHooksInOrder) {
  ASSERT_TRUE(store_->Save(Key("result"), Record("resource"), "r1").ok());
  auto result = Begin(store_.get(), "result", "r2");
  auto log = Begin(store_.get(), "log", "l1");
  Recorder rec(Env::Default(), dir_.path());
  auto saved = store_->CommitTogether({result.get(), log.get()}, &rec);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  ASSERT_EQ(saved->size(), 2u);
  EXPECT_EQ((*saved)[0].name, "result");
  EXPECT_EQ((*saved)[0].version, 2);
  EXPECT_EQ((*saved)[0].version_dir, NameDir("result") + "/2");
  EXPECT_EQ((*saved)[1].name, "log");
  EXPECT_EQ((*saved)[1].version, 1);
  EXPECT_EQ(Slurp(NameDir("result") + "/2/raw"), "r2");
  EXPECT_EQ(Slurp(NameDir("log") + "/1/raw"), "l1");
  EXPECT_EQ(Slurp(NameDir("result") + "/latest"), "2");
  EXPECT_EQ(Slurp(NameDir("log") + "/latest"), "1");
  EXPECT_EQ(Slurp(layout_.fen_dir + "/hwm/command/shell/" + kModel + "/result"), "2");
  EXPECT_EQ(Slurp(layout_.fen_dir + "/hwm/command/shell/" + kModel + "/log"), "1");
  EXPECT_EQ(rec.calls,
            (std::vector<std::string>{"first", "numbered result=2\nlog=1\n", "visible"}));
  EXPECT_EQ(Slurp(dir_.path() + "/record"), "result=2\nlog=1\n");
  // Nothing but the versions and markers is left: no staging directory, no temp file.
  EXPECT_EQ(Entries(NameDir("result")), (std::vector<std::string>{"1", "2", "latest"}));
  EXPECT_EQ(Entries(NameDir("log")), (std::vector<std::string>{"1", "latest"}));
  EXPECT_EQ(Entries(NameDir("log") + "/1"), (std::vector<std::string>{"metadata.yaml", "raw"}));
}

TEST_F(CommitTogetherTest, ANumberTakenByAForeignWriterIsChosenAgainAndTheRecordFollows) {
  auto result = Begin(store_.get(), "result", "r");
  auto log = Begin(store_.get(), "log", "l");
  Recorder rec(Env::Default(), dir_.path());
  // A writer that ignores the model lock creates "result/1" between numbering and rename.
  bool planted = false;
  rec.on_numbered = [&](const std::vector<SavedVersion>&) {
    if (!planted) std::filesystem::create_directory(NameDir("result") + "/1");
    planted = true;
  };
  auto saved = store_->CommitTogether({result.get(), log.get()}, &rec);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ((*saved)[0].version, 2);
  EXPECT_EQ((*saved)[1].version, 1);
  EXPECT_TRUE(std::filesystem::is_empty(NameDir("result") + "/1"));  // never replaced
  EXPECT_EQ(Slurp(NameDir("result") + "/2/raw"), "r");
  EXPECT_EQ(Slurp(NameDir("result") + "/latest"), "2");
  EXPECT_EQ(Slurp(layout_.fen_dir + "/hwm/command/shell/" + kModel + "/result"), "2");
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"first", "numbered result=1\nlog=1\n",
                                                 "numbered result=2\nlog=1\n", "visible"}));
  EXPECT_EQ(Slurp(dir_.path() + "/record"), "result=2\nlog=1\n");
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{".swamp", "record"}));  // no temp
}

TEST_F(CommitTogetherTest, TwoWritersOfOneArtifactAreRefusedAndLeaveNothing) {
  auto a = Begin(store_.get(), "result", "a");
  auto b = Begin(store_.get(), "result", "b");
  auto saved = store_->CommitTogether({a.get(), b.get()}, nullptr);
  EXPECT_FALSE(saved.ok());
  a.reset();
  b.reset();
  EXPECT_TRUE(store_->ListVersions(Key("result"))->empty());
  EXPECT_TRUE(Entries(NameDir("result")).empty());
}

TEST_F(CommitTogetherTest, AFailedFsyncLeavesThePreviousStateAndNoLeftovers) {
  ASSERT_TRUE(store_->Save(Key("result"), Record("resource"), "r1").ok());
  FaultInjectionEnv env(Env::Default());
  auto store = OpenFilesystemDataStore(&env, layout_);
  auto result = Begin(store.get(), "result", "r2");
  auto log = Begin(store.get(), "log", "l1");
  env.FailSyncs(EIO);
  Recorder rec(&env, dir_.path());
  auto saved = store->CommitTogether({result.get(), log.get()}, &rec);
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.status().sys_errno(), EIO);
  EXPECT_EQ(*store_->ListVersions(Key("result")), (std::vector<int64_t>{1}));
  EXPECT_TRUE(store_->ListVersions(Key("log"))->empty());
  EXPECT_EQ(Entries(NameDir("result")), (std::vector<std::string>{"1", "latest"}));
  EXPECT_TRUE(Entries(NameDir("log")).empty());
  EXPECT_FALSE(Exists(dir_.path() + "/record"));
}

}  // namespace
}  // namespace fen::storage
