#include "fen/storage/data_maintenance.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "fen/storage/filesystem_data_store.h"
#include "storage/storage_test_util.h"

namespace fen::storage {
namespace {

using testing::Exists;
using testing::Slurp;
using testing::TempDir;

const char kModel[] = "11111111-2222-4333-8444-555555555555";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.repo_dir = dir_.path();
    repo_.datastore_root = dir_.path() + "/.swamp";
    repo_.data_root = repo_.datastore_root + "/data";
    repo_.fen_dir = repo_.datastore_root + "/.fen";
    repo_.models_dir = dir_.path() + "/models";
    std::filesystem::create_directories(repo_.models_dir + "/command/shell");
    std::ofstream(repo_.models_dir + "/command/shell/m.yaml")
        << "type: command/shell\nid: " << kModel << "\nname: m\n";
    store_ = OpenFilesystemDataStore(Env::Default(), repo_);
  }
  DataRecord Rec(GcPolicy gc, const std::string& lifetime = "infinite") {
    DataRecord r;
    r.content_type = "text/plain";
    r.lifetime = lifetime;
    r.garbage_collection = gc;
    r.tags = {{"type", "resource"}, {"modelName", "m"}};
    r.owner = {"model-method", kModel, {}};
    return r;
  }
  ArtifactKey Key(const std::string& name) { return {"command/shell", kModel, name}; }
  std::string NameDir(const std::string& name) {
    return repo_.data_root + "/command/shell/" + kModel + "/" + name;
  }
  TempDir dir_;
  RepoContext repo_;
  std::unique_ptr<DataStore> store_;
};

TEST_F(MaintenanceTest, CountPolicyKeepsNewestAndDryRunIsExact) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->Save(Key("a"), Rec(int64_t{2}), "12345").ok());
  // Phase-1-expired artifact with many versions: a dry run must not double count it.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->Save(Key("old"), Rec(int64_t{1}, "1m"), "x").ok());
  }
  const int64_t later = NowMs() + 5 * 60 * 1000;
  auto dry = CollectGarbage(Env::Default(), repo_, store_.get(), true, later);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_EQ(dry->data_entries_expired, 1);
  ASSERT_EQ(dry->expired.size(), 1u);
  EXPECT_EQ(dry->expired[0].reason, "duration-expired");
  EXPECT_EQ(dry->expired[0].version_count, 4);
  EXPECT_EQ(dry->versions_deleted, 4 + 3);
  EXPECT_EQ(dry->bytes_reclaimed, 4 * 1 + 3 * 5);
  EXPECT_EQ(*store_->ListVersions(Key("a")), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  auto real = CollectGarbage(Env::Default(), repo_, store_.get(), false, later);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->versions_deleted, dry->versions_deleted);
  EXPECT_EQ(real->bytes_reclaimed, dry->bytes_reclaimed);
  EXPECT_EQ(*store_->ListVersions(Key("a")), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(Slurp(NameDir("a") + "/latest"), "5");
  EXPECT_FALSE(Exists(NameDir("old")));
  // Numbers continue after gc and expiry (HWM).
  EXPECT_EQ(store_->Save(Key("old"), Rec(int64_t{1}), "y")->version, 5);
}

TEST_F(MaintenanceTest, DurationPolicyKeepsWindowAndHighest) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Save(Key("d"), Rec(std::string("1h")), "x").ok());
  }
  auto now = CollectGarbage(Env::Default(), repo_, store_.get(), false);
  EXPECT_EQ(now->versions_deleted, 0);
  auto later =
      CollectGarbage(Env::Default(), repo_, store_.get(), false, NowMs() + 2 * 3600 * 1000);
  EXPECT_EQ(later->versions_deleted, 2);
  EXPECT_EQ(*store_->ListVersions(Key("d")), std::vector<int64_t>{3});
}

TEST_F(MaintenanceTest, RenamedOldNamesAreTrimmedAndTombstonesNeverExpire) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store_->Save(Key("a"), Rec(int64_t{2}), "x").ok());
  ASSERT_TRUE(store_->Rename(Key("a"), "b").ok());
  auto r = CollectGarbage(Env::Default(), repo_, store_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*store_->ListVersions(Key("a")), (std::vector<int64_t>{4, 5}));  // tombstone kept
  EXPECT_EQ((*store_->FindOwnLatest(Key("a")))->renamed_to, "b");
}

TEST_F(MaintenanceTest, GcCleansLeftoversButNotIncompleteVersions) {
  ASSERT_TRUE(store_->Save(Key("a"), Rec(int64_t{5}), "x").ok());
  std::filesystem::create_directories(NameDir("a") + "/.fen-stage-dead/");
  std::ofstream(NameDir("a") + "/.fen-stage-dead/raw") << "partial";
  std::ofstream(NameDir("a") + "/.0b0e-tmp-orphan.tmp") << "1";
  std::ofstream(NameDir("a") + "/1/.abc.tmp") << "1";
  std::filesystem::create_directories(NameDir("a") + "/7");  // swamp crash leftover (S-j)
  std::filesystem::create_directories(repo_.fen_dir + "/trash/x/y");
  auto dry = CollectGarbage(Env::Default(), repo_, store_.get(), true);
  EXPECT_TRUE(Exists(NameDir("a") + "/.fen-stage-dead"));
  auto r = CollectGarbage(Env::Default(), repo_, store_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(Exists(NameDir("a") + "/.fen-stage-dead"));
  EXPECT_FALSE(Exists(NameDir("a") + "/.0b0e-tmp-orphan.tmp"));
  EXPECT_FALSE(Exists(NameDir("a") + "/1/.abc.tmp"));
  EXPECT_TRUE(Exists(NameDir("a") + "/7"));  // only doctor --repair removes these
  EXPECT_TRUE(Exists(NameDir("a") + "/1/raw"));
  EXPECT_TRUE(std::filesystem::is_empty(repo_.fen_dir + "/trash"));
}

TEST_F(MaintenanceTest, WorkflowLifetimeExpiresWhenRunRecordIsGone) {
  DataRecord rec = Rec(int64_t{5}, "workflow");
  const std::string wf = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  const std::string run = "aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff";
  rec.owner.extra = {{"workflowId", wf}, {"workflowRunId", run}};
  ASSERT_TRUE(store_->Save(Key("w"), rec, "x").ok());
  std::filesystem::create_directories(repo_.datastore_root + "/workflow-runs/" + wf);
  std::ofstream(repo_.datastore_root + "/workflow-runs/" + wf + "/workflow-run-" + run + ".yaml")
      << "id: x\n";
  EXPECT_EQ(CollectGarbage(Env::Default(), repo_, store_.get(), true)->data_entries_expired, 0);
  std::filesystem::remove_all(repo_.datastore_root + "/workflow-runs");
  auto r = CollectGarbage(Env::Default(), repo_, store_.get(), true);
  ASSERT_EQ(r->expired.size(), 1u);
  EXPECT_EQ(r->expired[0].reason, "workflow-deleted");
}

// SearchData keeps only the `limit` best hits while the models stream by (a bounded heap):
// every limit must give exactly the first hits of the full order, newest first with ties in
// walk order, and the same total.
TEST_F(MaintenanceTest, SearchLimitKeepsTheNewestWithTiesInWalkOrder) {
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    const std::string name = "n" + std::to_string(i);
    ASSERT_TRUE(store_->Save(Key(name), Rec(int64_t{5}), "x").ok());
    // Three distinct instants, so most hits tie with others.
    const std::string meta = NameDir(name) + "/1/metadata.yaml";
    std::string text = Slurp(meta);
    const size_t at = text.find("createdAt: ");
    ASSERT_NE(at, std::string::npos);
    const size_t eol = text.find('\n', at);
    text.replace(at, eol - at,
                 "createdAt: '2026-01-0" + std::to_string(1 + i % 3) + "T00:00:00.000Z'");
    std::ofstream(meta, std::ios::trunc) << text;
  }
  // The expected order, computed independently: walk order, then a stable sort.
  auto walk = store_->FindAllForModel("command/shell", kModel, nullptr);
  ASSERT_TRUE(walk.ok());
  ASSERT_EQ(walk->size(), static_cast<size_t>(n));
  std::vector<DataRecord> expected = *walk;
  std::stable_sort(expected.begin(), expected.end(), [](const DataRecord& a, const DataRecord& b) {
    return a.created_at > b.created_at;
  });
  for (int64_t limit = -1; limit <= n + 1; ++limit) {
    SearchFilters f;
    f.limit = limit;
    auto r = SearchData(Env::Default(), repo_, store_.get(), f, NowMs());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->total, n);
    EXPECT_EQ(r->limited, n > limit);
    const size_t shown = limit < 0 ? n : std::min<size_t>(n, static_cast<size_t>(limit));
    ASSERT_EQ(r->hits.size(), shown) << "limit " << limit;
    for (size_t i = 0; i < shown; ++i) {
      EXPECT_EQ(r->hits[i].record.name, expected[i].name) << "limit " << limit << " hit " << i;
    }
  }
}

TEST_F(MaintenanceTest, PruneKeepsLiveModels) {
  ASSERT_TRUE(store_->Save(Key("a"), Rec(int64_t{5}), "x").ok());
  ArtifactKey orphan{"command/shell", "99999999-2222-4333-8444-555555555555", "z"};
  DataRecord rec = Rec(int64_t{5});
  rec.owner.owner_ref = orphan.model_id;
  ASSERT_TRUE(store_->Save(orphan, rec, "abc").ok());
  // Same id under another type is not live either.
  ArtifactKey other_type{"aws/ec2/vpc", kModel, "v"};
  ASSERT_TRUE(store_->Save(other_type, Rec(int64_t{5}), "q").ok());
  auto r = PruneOrphans(Env::Default(), repo_, store_.get(), false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->models.size(), 2u);
  EXPECT_TRUE(Exists(NameDir("a") + "/1/raw"));
  EXPECT_FALSE(*store_->FindByName(orphan));
  EXPECT_FALSE(*store_->FindByName(other_type));
}

}  // namespace
}  // namespace fen::storage
