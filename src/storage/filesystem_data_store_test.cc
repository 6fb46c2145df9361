#include "fen/storage/filesystem_data_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "fen/base/sha256.h"
#include "fen/storage/data_format.h"
#include "storage/storage_test_util.h"

namespace fen::storage {
namespace {

using testing::Exists;
using testing::Slurp;
using testing::TempDir;

const char kModel[] = "5f9277e4-133a-42e4-848a-8f0df54b77c7";

DataRecord ResultRecord() {
  DataRecord r;
  r.content_type = "application/json";
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{10};
  r.tags = {{"type", "resource"},
            {"specName", "result"},
            {"modelName", "counter"},
            {"initiatedBy", "ghost"}};
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = kModel;
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_.data_root = dir_.path() + "/.swamp/data";
    layout_.fen_dir = dir_.path() + "/.swamp/.fen";
    store_ = OpenFilesystemDataStore(Env::Default(), layout_);
  }
  std::string NameDir(const std::string& name = "result") const {
    return layout_.data_root + "/command/shell/" + kModel + "/" + name;
  }
  ArtifactKey Key(const std::string& name = "result") const {
    return ArtifactKey{"Command/Shell", kModel, name};
  }
  TempDir dir_;
  FilesystemLayout layout_;
  std::unique_ptr<DataStore> store_;
};

TEST_F(StoreTest, SaveWritesSwampLayoutOnDisk) {
  const std::string content = "{\"exitCode\":0}";
  auto saved = store_->Save(Key(), ResultRecord(), content);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->version, 1);
  EXPECT_EQ(saved->version_dir, NameDir() + "/1");
  EXPECT_EQ(Slurp(NameDir() + "/1/raw"), content);
  EXPECT_EQ(Slurp(NameDir() + "/latest"), "1");  // no newline
  EXPECT_EQ(Slurp(layout_.fen_dir + "/hwm/command/shell/" + kModel + "/result"), "1");
  std::string meta = Slurp(NameDir() + "/1/metadata.yaml");
  std::regex shape(
      "id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n"
      "name: result\nversion: 1\ncontentType: application/json\nlifetime: infinite\n"
      "garbageCollection: 10\nstreaming: false\ntags:\n  type: resource\n  specName: result\n"
      "  modelName: counter\n  initiatedBy: ghost\nownerDefinition:\n  ownerType: model-method\n"
      "  ownerRef: 5f9277e4-133a-42e4-848a-8f0df54b77c7\n"
      "createdAt: '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z'\n"
      "size: 14\nchecksum: " +
      Sha256Hex(content) + "\n");
  EXPECT_TRUE(std::regex_match(meta, shape)) << meta;
  // Nothing else in the data-name directory: no staging, no temp files.
  std::vector<std::string> names;
  for (auto& e : std::filesystem::directory_iterator(NameDir())) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"1", "latest"}));

  auto second = store_->Save(Key(), ResultRecord(), "b");
  auto third = store_->Save(Key(), ResultRecord(), "c");
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(third->version, 3);
  EXPECT_EQ(Slurp(NameDir() + "/latest"), "3");
  EXPECT_EQ(Slurp(NameDir() + "/2/raw"), "b");
  auto found = store_->FindByName(Key());
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->version, 3);
  EXPECT_EQ((*found)->id, third->id);
}

TEST_F(StoreTest, AutoGcPrunesAtWriteTime) {
  layout_.auto_gc = true;
  auto s = OpenFilesystemDataStore(Env::Default(), layout_);
  DataRecord rec = ResultRecord();
  rec.garbage_collection = int64_t{2};
  for (int i = 0; i < 4; ++i) {
    auto r = s->Save(Key(), rec, "v");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->warnings.empty());
  }
  EXPECT_EQ(*s->ListVersions(Key()), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(Slurp(NameDir() + "/latest"), "4");
  // Without autoGc nothing is pruned at write time.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->Save(Key("x"), rec, "v").ok());
  EXPECT_EQ(store_->ListVersions(Key("x"))->size(), 3u);
}

TEST_F(StoreTest, StreamingWriterIsInvisibleUntilCommit) {
  DataRecord rec = ResultRecord();
  rec.content_type = "text/plain";
  rec.streaming = true;
  rec.tags[0].second = "file";
  auto writer = store_->BeginVersion(Key("log"), rec);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  ASSERT_TRUE((*writer)->Append("line1\n").ok());
  ASSERT_TRUE((*writer)->Append("line2\n").ok());
  EXPECT_TRUE(store_->ListVersions(Key("log"))->empty());
  EXPECT_FALSE(Exists(NameDir("log") + "/latest"));
  auto saved = (*writer)->Commit();
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->version, 1);
  EXPECT_EQ(saved->size, 12);
  EXPECT_EQ(saved->checksum, Sha256Hex("line1\nline2\n"));
  EXPECT_EQ(Slurp(NameDir("log") + "/1/raw"), "line1\nline2\n");
  EXPECT_EQ(Slurp(NameDir("log") + "/latest"), "1");
  auto meta = ParseMetadataYaml(Slurp(NameDir("log") + "/1/metadata.yaml"));
  ASSERT_TRUE(meta.ok());
  EXPECT_TRUE(meta->streaming);
  EXPECT_EQ(meta->size, 12);

  // An abandoned writer leaves nothing behind.
  {
    auto abandoned = store_->BeginVersion(Key("log"), rec);
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->Append("x").ok());
  }
  std::vector<std::string> names;
  for (auto& e : std::filesystem::directory_iterator(NameDir("log"))) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"1", "latest"}));
}

TEST_F(StoreTest, AppendExtendsLatestStreamingVersionInPlace) {
  DataRecord rec = ResultRecord();
  rec.streaming = true;
  ASSERT_TRUE(store_->Save(Key("log"), rec, "a\n").ok());
  std::string before = Slurp(NameDir("log") + "/1/metadata.yaml");
  ASSERT_TRUE(store_->Append(Key("log"), "b\n").ok());
  EXPECT_EQ(Slurp(NameDir("log") + "/1/raw"), "a\nb\n");
  auto meta = ParseMetadataYaml(Slurp(NameDir("log") + "/1/metadata.yaml"));
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->size, 4);
  EXPECT_FALSE(meta->checksum);
  EXPECT_EQ(meta->created_at, ParseMetadataYaml(before)->created_at);
  EXPECT_EQ(*store_->ListVersions(Key("log")), std::vector<int64_t>{1});
  EXPECT_EQ(store_->Append(Key("nope"), "x").message(), "No existing data found for \"nope\"");
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "x").ok());
  EXPECT_EQ(store_->Append(Key(), "x").message(),
            "Data \"result\" is not configured for streaming");
}

TEST_F(StoreTest, ValidationLeavesNoTrace) {
  DataRecord rec = ResultRecord();
  auto reserved = store_->Save(Key("Latest"), rec, "x");
  EXPECT_EQ(reserved.status().message(),
            "Data name 'Latest' is reserved for internal use. Use a different name.");
  EXPECT_EQ(reserved.status().code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(store_->Save(Key("a/b"), rec, "x").status().message(),
            "Data name must not contain '..', '/', '\\\\', or null bytes (path traversal)");
  EXPECT_EQ(store_->Save(ArtifactKey{"command/shell", "..", "r"}, rec, "x").status().code(),
            ErrorCode::kPathTraversal);
  DataRecord no_type = rec;
  no_type.tags = {{"specName", "x"}};
  EXPECT_EQ(store_->Save(Key(), no_type, "x").status().message(), "tags must include 'type' key");
  DataRecord bad_life = rec;
  bad_life.lifetime = "forever";
  EXPECT_EQ(store_->Save(Key(), bad_life, "x").status().message(),
            "Duration must match pattern like '1h', '5m', '10d', '2w', '1mo', '10y'");
  DataRecord zero = rec;
  zero.lifetime = "0h";
  auto saved = store_->Save(Key("z"), zero, "x");
  ASSERT_TRUE(saved.ok());
  EXPECT_NE(Slurp(NameDir("z") + "/1/metadata.yaml").find("lifetime: workflow\n"),
            std::string::npos);
  EXPECT_FALSE(Exists(NameDir()));
  EXPECT_FALSE(Exists(NameDir("Latest")));
}

TEST_F(StoreTest, OwnershipMismatchRejectedWithoutNewVersion) {
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "a").ok());
  DataRecord other = ResultRecord();
  other.owner.owner_type = "manual";
  other.owner.owner_ref = "someone";
  auto r = store_->Save(Key(), other, "b");
  EXPECT_EQ(r.status().code(), ErrorCode::kOwnershipMismatch);
  EXPECT_EQ(r.status().message(),
            "Ownership validation failed for \"result\": existing owner "
            "\"model-method:5f9277e4-133a-42e4-848a-8f0df54b77c7\" does not match new owner "
            "\"manual:someone\"");
  EXPECT_EQ(*store_->ListVersions(Key()), std::vector<int64_t>{1});
}

TEST_F(StoreTest, SymlinkEscapeIsPathTraversal) {
  TempDir outside;
  std::filesystem::create_directories(layout_.data_root + "/command/shell");
  std::filesystem::create_directory_symlink(outside.path(),
                                            layout_.data_root + "/command/shell/" + kModel);
  auto r = store_->Save(Key(), ResultRecord(), "x");
  EXPECT_EQ(r.status().code(), ErrorCode::kPathTraversal);
  EXPECT_NE(r.status().message().find("which is outside boundary"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(std::filesystem::is_empty(outside.path()));
}

TEST_F(StoreTest, NumbersNeverReused) {  // F3
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  }
  ASSERT_TRUE(store_->DeleteVersions(Key(), {3}, nullptr).ok());
  EXPECT_FALSE(Exists(NameDir() + "/3"));
  EXPECT_EQ(Slurp(NameDir() + "/latest"), "2");
  EXPECT_EQ(store_->Save(Key(), ResultRecord(), "v")->version, 4);
  ASSERT_TRUE(store_->DeleteArtifact(Key(), nullptr).ok());
  EXPECT_FALSE(Exists(NameDir()));
  EXPECT_EQ(store_->Save(Key(), ResultRecord(), "v")->version, 5);
  // A swamp-written tree without HWM: max existing + 1; lenient parse blocks "7foo".
  std::filesystem::create_directories(NameDir("sw") + "/7foo");
  EXPECT_EQ(store_->Save(Key("sw"), ResultRecord(), "v")->version, 8);
}

TEST_F(StoreTest, NoReplaceRenameSkipsForeignDirectory) {  // F10 (directory appears first)
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  // A lockless writer created 2 without metadata after fen chose numbers: fen must not
  // replace it. (Simulated by an HWM of 1 and an existing empty "2".)
  std::filesystem::create_directory(NameDir() + "/2");
  auto r = store_->Save(Key(), ResultRecord(), "w");
  EXPECT_EQ(r->version, 3);
  EXPECT_TRUE(std::filesystem::is_empty(NameDir() + "/2"));
  EXPECT_EQ(*store_->ListVersions(Key()), (std::vector<int64_t>{1, 3}));
}

TEST_F(StoreTest, LatestResolutionFallbacks) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  }
  // Legacy symlink marker.
  std::filesystem::remove(NameDir() + "/latest");
  std::filesystem::create_directory_symlink("2/", NameDir() + "/latest");
  EXPECT_EQ((*store_->FindByName(Key()))->version, 2);
  // Missing marker: max complete version.
  std::filesystem::remove(NameDir() + "/latest");
  EXPECT_EQ((*store_->FindByName(Key()))->version, 3);
  // Garbled marker: fallback too.
  { std::ofstream(NameDir() + "/latest") << "zz"; }
  EXPECT_EQ((*store_->FindByName(Key()))->version, 3);
  // The marker is trusted: naming a version without metadata = not found.
  { std::ofstream(NameDir() + "/latest") << "9"; }
  EXPECT_FALSE(*store_->FindByName(Key()));
  // Explicit versions bypass it.
  EXPECT_EQ((*store_->FindByName(Key(), 1))->version, 1);
}

TEST_F(StoreTest, RenameChainFollowedUpToDepthFive) {
  ASSERT_TRUE(store_->Save(Key("n0"), ResultRecord(), "x").ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->Rename(Key("n" + std::to_string(i)), "n" + std::to_string(i + 1)).ok());
  }
  EXPECT_EQ((*store_->FindByName(Key("n0")))->name, "n5");  // five hops
  ASSERT_TRUE(store_->Rename(Key("n5"), "n6").ok());
  EXPECT_FALSE(*store_->FindByName(Key("n0")));  // six: depth exceeded -> not found
  EXPECT_EQ((*store_->FindByName(Key("n1")))->name, "n6");
}

TEST_F(StoreTest, LegacySymlinkLatestIsReplacedByRename) {
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  std::filesystem::remove(NameDir() + "/latest");
  std::filesystem::create_directory_symlink("1/", NameDir() + "/latest");
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "w").ok());
  EXPECT_FALSE(std::filesystem::is_symlink(NameDir() + "/latest"));
  EXPECT_EQ(Slurp(NameDir() + "/latest"), "2");
  EXPECT_TRUE(Exists(NameDir() + "/1/raw"));
}

TEST_F(StoreTest, IncompleteDirectoriesExcludedFromListings) {  // S-j
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  std::filesystem::create_directory(NameDir() + "/2");  // in-flight swamp allocation
  EXPECT_EQ(*store_->ListVersions(Key()), std::vector<int64_t>{1});
  EXPECT_EQ(store_->Save(Key(), ResultRecord(), "w")->version, 3);
}

TEST_F(StoreTest, CorruptMetadataAffectsOnlyThatVersion) {  // F5
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "v").ok());
  }
  ASSERT_TRUE(store_->Save(Key("other"), ResultRecord(), "o").ok());
  std::filesystem::resize_file(NameDir() + "/2/metadata.yaml", 10);
  std::vector<CorruptReport> reports;
  auto all = store_->ReadAllVersions(Key(), &reports);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].path, NameDir() + "/2/metadata.yaml");
  EXPECT_EQ(store_->FindByName(Key(), 2).status().code(), ErrorCode::kCorruptData);
  // Corrupt latest: that artifact is skipped and reported, the other stays visible.
  std::filesystem::resize_file(NameDir() + "/3/metadata.yaml", 5);
  reports.clear();
  auto items = store_->FindAllForModel("command/shell", kModel, &reports);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].name, "other");
  EXPECT_EQ(reports.size(), 1u);
  EXPECT_EQ(store_->FindByName(Key()).status().code(), ErrorCode::kCorruptData);
  auto models = store_->ListModels(&reports);
  ASSERT_EQ(models->size(), 1u);
}

TEST_F(StoreTest, RenameFenRules) {  // F7
  ASSERT_TRUE(store_->Save(Key("a"), ResultRecord(), "content-a").ok());
  auto r1 = store_->Rename(Key("a"), "b");
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_EQ(r1->copied_version, 1);
  EXPECT_EQ(r1->new_version, 1);
  auto tomb = ParseMetadataYaml(Slurp(NameDir("a") + "/2/metadata.yaml"));
  ASSERT_TRUE(tomb.ok());
  EXPECT_TRUE(tomb->deleted);
  EXPECT_EQ(tomb->renamed_to, "b");
  EXPECT_FALSE(tomb->size);
  EXPECT_FALSE(tomb->checksum);
  EXPECT_EQ(Slurp(NameDir("a") + "/2/raw"),
            "{\"renamedTo\":\"b\",\"renamedAt\":\"" + tomb->created_at + "\"}");
  EXPECT_EQ((*store_->FindByName(Key("a")))->name, "b");  // latest lookups follow
  auto back = store_->Rename(Key("b"), "a");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->new_version, 3);
  EXPECT_EQ(*store_->GetContent(Key("a"), 3), "content-a");
  auto again = store_->Rename(Key("a"), "b");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->new_version, 3);
  auto tombstoned = store_->Rename(Key("a"), "c");
  EXPECT_EQ(tombstoned.status().message(), "Data \"a\" is already deleted or renamed");
  EXPECT_EQ(tombstoned.status().code(), ErrorCode::kAlreadyDeleted);
  ASSERT_TRUE(store_->Save(Key("c"), ResultRecord(), "c").ok());
  EXPECT_EQ(store_->Rename(Key("b"), "c").status().message(), "Data \"c\" already exists");
  EXPECT_EQ(store_->Rename(Key("nope"), "d").status().message(), "Data \"nope\" not found");
  EXPECT_EQ(store_->Rename(Key("b"), "x/y").status().message(),
            "Invalid new name \"x/y\": Data name must not contain '..', '/', '\\\\', or null "
            "bytes (path traversal)");
  EXPECT_EQ(*store_->ListVersions(Key("a")), (std::vector<int64_t>{1, 2, 3, 4}));
}

// An Env that _exit()s the process at its k-th mutating operation: run in a forked child, it
// simulates a crash (SIGKILL-equivalent for the file system state) at every protocol step.
class CrashingEnv final : public Env {
 public:
  CrashingEnv(Env* base, int crash_at) : base_(base), crash_at_(crash_at) {}
  void Step() {
    if (++count_ == crash_at_) _exit(42);
  }
  int count() const { return count_; }

  class File final : public WritableFile {
   public:
    File(CrashingEnv* env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
    Status Append(std::string_view d) override {
      env_->Step();
      return f_->Append(d);
    }
    Status Sync() override {
      env_->Step();
      return f_->Sync();
    }
    Status Close() override { return f_->Close(); }

   private:
    CrashingEnv* env_;
    std::unique_ptr<WritableFile> f_;
  };

  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& p) override {
    Step();
    auto f = base_->NewExclusiveFile(p);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, std::move(f).value()));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    Step();
    return base_->NewAppendableFile(p);
  }
  Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  Status SyncDir(const std::string& p) override {
    Step();
    return base_->SyncDir(p);
  }
  Status Rename(const std::string& a, const std::string& b) override {
    Step();
    return base_->Rename(a, b);
  }
  Status RenameNoReplace(const std::string& a, const std::string& b) override {
    Step();
    if (!fail_into_.empty() && b.rfind(fail_into_, 0) == 0) {
      return ErrnoError("cannot rename", a, fail_errno_);
    }
    return base_->RenameNoReplace(a, b);
  }
  // Makes every no-replace rename into `prefix` fail with EIO (an I/O error, not a crash).
  void FailRenamesInto(std::string prefix, int err = EIO) {
    fail_into_ = std::move(prefix);
    fail_errno_ = err;
  }
  Status Link(const std::string& a, const std::string& b) override {
    Step();
    return base_->Link(a, b);
  }
  Status Unlink(const std::string& p) override {
    Step();
    return base_->Unlink(p);
  }
  Status CreateDir(const std::string& p) override {
    Step();
    return base_->CreateDir(p);
  }
  Status RemoveDir(const std::string& p) override {
    Step();
    return base_->RemoveDir(p);
  }
  Status RemoveTree(const std::string& p) override {
    Step();
    return base_->RemoveTree(p);
  }
  Result<std::vector<DirEntry>> ListDir(const std::string& p) override { return base_->ListDir(p); }
  Result<FileInfo> Stat(const std::string& p) override { return base_->Stat(p); }
  Result<FileInfo> Lstat(const std::string& p) override { return base_->Lstat(p); }
  Result<std::string> ReadLink(const std::string& p) override { return base_->ReadLink(p); }
  Result<std::string> RealPath(const std::string& p) override { return base_->RealPath(p); }
  bool Access(const std::string& p, int m) override { return base_->Access(p, m); }

 private:
  Env* base_;
  int crash_at_;
  int count_ = 0;
  std::string fail_into_;
  int fail_errno_ = EIO;
};

// §6.9 step 7: when the tombstone cannot be written, the new name's version is removed and
// the error is reported; the old name is untouched.
TEST_F(StoreTest, RenameRollsBackNewVersionWhenTombstoneFails) {
  ASSERT_TRUE(store_->Save(Key("a"), ResultRecord(), "content").ok());
  CrashingEnv failing(Env::Default(), -1);
  failing.FailRenamesInto(NameDir("a") + "/");
  auto s = OpenFilesystemDataStore(&failing, layout_);
  auto r = s->Rename(Key("a"), "b");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_TRUE(store_->ListVersions(Key("b"))->empty());
  EXPECT_FALSE(*store_->FindByName(Key("b")));
  EXPECT_EQ(*store_->ListVersions(Key("a")), std::vector<int64_t>{1});
  EXPECT_EQ(Slurp(NameDir("a") + "/latest"), "1");
  // The failed attempt's numbers are not reused either.
  EXPECT_EQ(store_->Save(Key("b"), ResultRecord(), "x")->version, 2);
}

// §5.3 step 7: 100 consecutive EEXIST collisions give swamp's message and leave no staging.
TEST_F(StoreTest, AllocationGivesUpAfter100Collisions) {
  CrashingEnv colliding(Env::Default(), -1);
  colliding.FailRenamesInto(NameDir() + "/", EEXIST);
  auto s = OpenFilesystemDataStore(&colliding, layout_);
  auto r = s->Save(Key(), ResultRecord(), "x");
  EXPECT_EQ(r.status().message(), "Failed to allocate version for \"result\" after 100 retries");
  EXPECT_TRUE(std::filesystem::is_empty(NameDir()));
  // The HWM moved past every number tried: none of them is reused.
  EXPECT_EQ(store_->Save(Key(), ResultRecord(), "y")->version, 101);
}

// F1: crash a real child process at every mutating step of a Save (second version of an
// artifact) and check what readers see afterwards.
TEST_F(StoreTest, CrashAtEveryStepLeavesCompleteOrNoVersion) {
  int steps = 0;
  {
    TempDir probe;
    FilesystemLayout l{probe.path() + "/data", probe.path() + "/.fen"};
    auto s = OpenFilesystemDataStore(Env::Default(), l);
    ASSERT_TRUE(s->Save(Key(), ResultRecord(), "one").ok());
    CrashingEnv counting(Env::Default(), -1);
    auto s2 = OpenFilesystemDataStore(&counting, l);
    ASSERT_TRUE(s2->Save(Key(), ResultRecord(), "two").ok());
    steps = counting.count();
  }
  ASSERT_GT(steps, 8);
  for (int k = 1; k <= steps + 1; ++k) {
    TempDir d;
    FilesystemLayout l{d.path() + "/data", d.path() + "/.fen"};
    auto base = OpenFilesystemDataStore(Env::Default(), l);
    ASSERT_TRUE(base->Save(Key(), ResultRecord(), "one").ok());
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      CrashingEnv crashing(Env::Default(), k);
      auto s = OpenFilesystemDataStore(&crashing, l);
      auto r = s->Save(Key(), ResultRecord(), "two");
      _exit(r.ok() ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 42 || (k > steps && code == 0)) << "k=" << k << " code=" << code;
    // Readers: every listed version is complete; latest names a complete version.
    auto versions = base->ListVersions(Key());
    ASSERT_TRUE(versions.ok());
    std::string name_dir = l.data_root + "/command/shell/" + kModel + "/result";
    for (auto& e : std::filesystem::directory_iterator(name_dir)) {
      std::string n = e.path().filename().string();
      if (ParseVersionLenient(n)) {
        EXPECT_TRUE(Exists(e.path().string() + "/metadata.yaml")) << "k=" << k << " " << n;
        EXPECT_TRUE(Exists(e.path().string() + "/raw")) << "k=" << k << " " << n;
      }
    }
    auto latest = base->FindByName(Key());
    ASSERT_TRUE(latest.ok() && *latest) << "k=" << k;
    EXPECT_EQ(Slurp(name_dir + "/" + std::to_string((*latest)->version) + "/raw"),
              (*latest)->version == 1 ? "one" : "two");
    if (versions->size() == 2) {
      EXPECT_EQ(Slurp(name_dir + "/2/raw"), "two");
    }
    // The next write never reuses a number a crashed write may have made visible.
    auto next = base->Save(Key(), ResultRecord(), "three");
    ASSERT_TRUE(next.ok());
    EXPECT_GT(next->version, versions->back());
  }
}

// Crash a real child at every mutating step of a version delete and of an artifact delete:
// `latest` always names a complete version while any remain, the HWM never drops, and the
// next write continues above every number used.
TEST_F(StoreTest, CrashDuringDeleteLeavesConsistentTree) {
  for (bool whole : {false, true}) {
    int steps = 0;
    {
      TempDir probe;
      FilesystemLayout l{probe.path() + "/data", probe.path() + "/.fen"};
      auto s = OpenFilesystemDataStore(Env::Default(), l);
      for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(s->Save(Key(), ResultRecord(), "v").ok());
      }
      CrashingEnv counting(Env::Default(), -1);
      auto s2 = OpenFilesystemDataStore(&counting, l);
      ASSERT_TRUE(
          (whole ? s2->DeleteArtifact(Key(), nullptr) : s2->DeleteVersions(Key(), {3}, nullptr))
              .ok());
      steps = counting.count();
    }
    ASSERT_GT(steps, 3);
    for (int k = 1; k <= steps; ++k) {
      TempDir d;
      FilesystemLayout l{d.path() + "/data", d.path() + "/.fen"};
      auto base = OpenFilesystemDataStore(Env::Default(), l);
      for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(base->Save(Key(), ResultRecord(), "v" + std::to_string(i + 1)).ok());
      }
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        CrashingEnv crashing(Env::Default(), k);
        auto s = OpenFilesystemDataStore(&crashing, l);
        Status st =
            whole ? s->DeleteArtifact(Key(), nullptr) : s->DeleteVersions(Key(), {3}, nullptr);
        _exit(st.ok() ? 0 : 1);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFEXITED(status));
      ASSERT_EQ(WEXITSTATUS(status), 42) << "k=" << k;
      auto versions = base->ListVersions(Key());
      ASSERT_TRUE(versions.ok());
      auto latest = base->FindByName(Key());
      ASSERT_TRUE(latest.ok()) << "k=" << k << " " << latest.status().message();
      if (!versions->empty()) {
        ASSERT_TRUE(*latest) << "k=" << k;
        EXPECT_NE(std::find(versions->begin(), versions->end(), (*latest)->version),
                  versions->end());
      }
      auto next = base->Save(Key(), ResultRecord(), "next");
      ASSERT_TRUE(next.ok());
      EXPECT_EQ(next->version, 4) << "k=" << k << (whole ? " whole" : " version");
    }
  }
}

// §9.1 #2: concurrent fen writers (no lock held: the no-replace rename alone) get distinct
// versions, every one complete.
TEST_F(StoreTest, ConcurrentWriterProcessesGetDistinctVersions) {
  constexpr int kProcs = 3, kEach = 8;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = OpenFilesystemDataStore(Env::Default(), layout_);
      for (int i = 0; i < kEach; ++i) {
        if (!s->Save(Key(), ResultRecord(), "p" + std::to_string(p)).ok()) _exit(1);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto versions = store_->ListVersions(Key());
  ASSERT_EQ(versions->size(), static_cast<size_t>(kProcs * kEach));
  EXPECT_EQ(versions->back(), kProcs * kEach);
  for (int64_t v : *versions) {
    auto rec = store_->FindByName(Key(), v);
    ASSERT_TRUE(rec.ok() && *rec);
    EXPECT_EQ((*rec)->version, v);
  }
}

// F4: a reader process polling `latest` while this process writes and deletes never sees it
// missing or naming an incomplete version.
TEST_F(StoreTest, ConcurrentReaderNeverSeesMissingOrTornLatest) {
  ASSERT_TRUE(store_->Save(Key(), ResultRecord(), "seed").ok());
  const std::string stop_file = dir_.path() + "/stop";
  pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {
    int bad = 0, reads = 0;
    while (!Exists(stop_file)) {
      auto text = Env::Default()->ReadFile(NameDir() + "/latest");
      if (!text.ok()) {
        ++bad;
        continue;
      }
      std::string vdir = NameDir() + "/" + *text;
      // The version may be deleted right after we read the marker (it then disappears as a
      // whole); a present directory must be complete.
      if (Exists(vdir) && !Exists(vdir + "/metadata.yaml") && Exists(vdir)) ++bad;
      if (Exists(vdir) && !Exists(vdir + "/raw") && Exists(vdir)) ++bad;
      ++reads;
    }
    _exit(bad > 0 ? 1 : (reads == 0 ? 2 : 0));
  }
  for (int i = 0; i < 60; ++i) {
    auto r = store_->Save(Key(), ResultRecord(), "payload");
    ASSERT_TRUE(r.ok());
    if (i % 3 == 2) {
      ASSERT_TRUE(store_->DeleteVersions(Key(), {r->version - 1}, nullptr).ok());
    }
  }
  { std::ofstream(stop_file) << "1"; }
  int status = 0;
  waitpid(reader, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1 = torn/missing latest seen, 2 = no reads";
}

}  // namespace
}  // namespace fen::storage
