// fen's catalog (storage.md §7.7): catalog-backed search equals a fresh tree walk after
// mutations by fen and by direct file manipulation (swamp, or a person).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fen/storage/catalog.h"
#include "fen/storage/data_format.h"
#include "fen/storage/data_maintenance.h"
#include "fen/storage/filesystem_data_store.h"
#include "storage/storage_test_util.h"

namespace fen::storage {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

const char kModelA[] = "11111111-2222-4333-8444-555555555555";
const char kModelB[] = "aaaaaaaa-2222-4333-8444-555555555555";

DataRecord Rec(const std::string& type_tag) {
  DataRecord r;
  r.content_type = "application/json";
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{10};
  r.tags = {{"type", type_tag}, {"modelName", "m"}};
  r.owner.owner_type = "manual";
  r.owner.owner_ref = "tester";
  return r;
}

RepoContext MakeRepo(const std::string& dir) {
  RepoContext repo;
  repo.repo_dir = dir;
  repo.datastore_root = dir + "/.swamp";
  repo.data_root = repo.datastore_root + "/data";
  repo.fen_dir = repo.datastore_root + "/.fen";
  repo.models_dir = dir + "/models";
  return repo;
}

// A comparable rendering of a search: every hit and every report, in order.
std::string RenderOwn(const Result<std::optional<DataRecord>>& r) {
  if (!r.ok())
    return "error " + std::to_string(static_cast<int>(r.status().code())) + " " +
           r.status().message();
  return *r ? MetadataToYaml(**r) : "none";
}

std::string Render(const SearchResult& r) {
  std::string out = "total=" + std::to_string(r.total) + "\n";
  for (const auto& h : r.hits) {
    out += h.model_type + "|" + h.model_id + "|" + h.model_name + "\n" + MetadataToYaml(h.record);
  }
  for (const auto& rep : r.reports) out += "report " + rep.path + ": " + rep.reason + "\n";
  return out;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = MakeRepo(dir_.path());
    fs::create_directories(repo_.models_dir + "/command/shell");
    std::ofstream(repo_.models_dir + "/command/shell/a.yaml")
        << "type: command/shell\nid: " << kModelA << "\nname: alpha\n";
    plain_ = OpenFilesystemDataStore(Env::Default(), repo_);
  }
  std::unique_ptr<CatalogDataStore> OpenCatalog(int64_t racy_ns) {
    CatalogOptions o;
    o.racy_window_ns = racy_ns;
    o.skip_swamp_invalidation = true;
    o.parallel_min_name_dirs = parallel_min_name_dirs_;
    o.parallel_load_min_bytes = parallel_load_min_bytes_;
    return OpenCatalogDataStore(Env::Default(), repo_,
                                OpenFilesystemDataStore(Env::Default(), repo_), o);
  }
  std::string store_path() const { return dir_.path() + "/.swamp/.fen/catalog.db"; }
  std::string NameDir(const char* model, const std::string& name) const {
    return repo_.data_root + "/command/shell/" + model + "/" + name;
  }
  void SaveN(const char* model, const std::string& name, int n,
             const std::string& tag = "resource") {
    for (int i = 0; i < n; ++i) {
      auto s = plain_->Save(ArtifactKey{"command/shell", model, name}, Rec(tag),
                            "{\"i\":" + std::to_string(i) + "}");
      ASSERT_TRUE(s.ok()) << s.status().message();
    }
  }
  // Searches through a fresh catalog store (a new process would do the same) and through the
  // plain walk, and requires identical results. Returns the refresh stats.
  CatalogRefreshStats ExpectSameAsWalk(int64_t racy_ns, const std::string& step) {
    SearchFilters f;
    f.limit = 1000000;
    const int64_t now = 1'900'000'000'000;
    auto walk = SearchData(Env::Default(), repo_, plain_.get(), f, now);
    auto cat_store = OpenCatalog(racy_ns);
    auto cat = SearchData(Env::Default(), repo_, cat_store.get(), f, now);
    EXPECT_TRUE(walk.ok() && cat.ok()) << step;
    if (!walk.ok() || !cat.ok()) return {};
    EXPECT_EQ(Render(*cat), Render(*walk)) << step;
    // gc's per-name pass asks FindOwnLatest, answered from the validated rows (before
    // last_refresh(), which waits for the write-back: the two may overlap).
    for (const char* model : {kModelA, kModelB}) {
      const std::string model_dir = repo_.data_root + "/command/shell/" + model;
      if (!fs::exists(model_dir)) continue;
      for (const auto& e : fs::directory_iterator(model_dir)) {
        const ArtifactKey key{"command/shell", model, e.path().filename().string()};
        EXPECT_EQ(RenderOwn(cat_store->FindOwnLatest(key)), RenderOwn(plain_->FindOwnLatest(key)))
            << step << ": " << key.name;
      }
    }
    EXPECT_TRUE(cat_store->last_refresh().used_catalog) << step;
    return cat_store->last_refresh();
  }
  // File-system timestamps have a coarse granularity: let the clock move past the stamps the
  // catalog recorded, so that the stamp comparison (not the racy rule) must catch the change.
  static void Tick() { std::this_thread::sleep_for(std::chrono::milliseconds(25)); }

  void ForeignMutationScenario();

  TempDir dir_;
  RepoContext repo_;
  std::unique_ptr<DataStore> plain_;
  size_t parallel_min_name_dirs_ = CatalogOptions{}.parallel_min_name_dirs;
  uint64_t parallel_load_min_bytes_ = CatalogOptions{}.parallel_load_min_bytes;
};

TEST_F(CatalogTest, WarmCatalogRereadsNothingAndEqualsWalk) {
  SaveN(kModelA, "result", 3);
  SaveN(kModelA, "log", 2, "log");
  SaveN(kModelB, "out", 1);
  auto cold = ExpectSameAsWalk(0, "cold");
  EXPECT_EQ(cold.reread, 3);
  EXPECT_EQ(cold.name_dirs, 3);
  auto warm = ExpectSameAsWalk(0, "warm");
  EXPECT_EQ(warm.reread, 0);
  EXPECT_EQ(warm.name_dirs, 3);
  EXPECT_TRUE(fs::exists(dir_.path() + "/.swamp/.fen/catalog.db"));
}

TEST_F(CatalogTest, SearchEqualsWalkAfterFenAndForeignMutations) { ForeignMutationScenario(); }

// The same with every helper thread from the first directory and byte on (production uses
// them from 512 directories and a 1 MiB catalog): the stamp checks and re-reads on two
// threads, the write-back beside the caller, and the rows loaded beside a witness-less walk.
TEST_F(CatalogTest, SearchEqualsWalkAfterMutationsWithTwoThreads) {
  parallel_min_name_dirs_ = 1;
  parallel_load_min_bytes_ = 0;
  ForeignMutationScenario();
}

void CatalogTest::ForeignMutationScenario() {
  SaveN(kModelA, "result", 3);
  SaveN(kModelA, "log", 2, "log");
  SaveN(kModelA, "other", 1);
  SaveN(kModelB, "out", 2);
  ExpectSameAsWalk(0, "initial");
  ExpectSameAsWalk(0, "warm");

  // fen mutations.
  Tick();
  SaveN(kModelA, "result", 1);
  auto st = ExpectSameAsWalk(0, "fen save");
  EXPECT_EQ(st.reread, 1);
  Tick();
  ASSERT_TRUE(plain_->Rename(ArtifactKey{"command/shell", kModelA, "log"}, "log2").ok());
  ExpectSameAsWalk(0, "fen rename");
  Tick();
  ASSERT_TRUE(
      plain_->DeleteVersions(ArtifactKey{"command/shell", kModelA, "result"}, {4}, nullptr).ok());
  ExpectSameAsWalk(0, "fen delete version");
  Tick();
  ASSERT_TRUE(plain_->DeleteArtifact(ArtifactKey{"command/shell", kModelB, "out"}, nullptr).ok());
  ExpectSameAsWalk(0, "fen delete artifact");

  // swamp-style: a new version directory with metadata, then `latest` rewritten in place.
  Tick();
  const std::string other = NameDir(kModelA, "other");
  fs::copy(other + "/1", other + "/2", fs::copy_options::recursive);
  {
    std::string meta = testing::Slurp(other + "/2/metadata.yaml");
    meta.replace(meta.find("version: 1"), 10, "version: 2");
    meta.replace(meta.find("type: resource"), 14, "type: swampres");
    std::ofstream(other + "/2/metadata.yaml", std::ios::trunc) << meta;
  }
  ExpectSameAsWalk(0, "foreign version dir (latest still 1)");
  Tick();
  { std::ofstream(other + "/latest", std::ios::trunc) << "2"; }
  st = ExpectSameAsWalk(0, "latest rewritten in place");
  EXPECT_EQ(st.reread, 1);

  // A person: delete the latest version directory (the marker now names nothing).
  Tick();
  fs::remove_all(other + "/2");
  ExpectSameAsWalk(0, "rm -rf latest version dir");
  // ... and the marker itself (fallback to the highest complete version).
  Tick();
  fs::remove(other + "/latest");
  ExpectSameAsWalk(0, "rm latest");
  ExpectSameAsWalk(0, "rm latest (again, unverified fallback)");

  // Corrupt a metadata.yaml in place (same directory, same inode).
  Tick();
  const std::string result = NameDir(kModelA, "result");
  { std::ofstream(result + "/3/metadata.yaml", std::ios::trunc) << "id: [unterminated\n"; }
  st = ExpectSameAsWalk(0, "corrupt latest metadata");
  EXPECT_EQ(st.reread, 2);  // `result`, plus `other`, whose marker-less fallback stays unverified
  ExpectSameAsWalk(0, "corrupt latest metadata (warm)");

  // swamp's way of replacing metadata.yaml (write a temp file, rename over it; storage.md
  // §3.7): nothing at the data-name level changes, only the file's inode.
  Tick();
  {
    std::string meta = testing::Slurp(result + "/2/metadata.yaml");
    meta.replace(meta.find("version: 2"), 10, "version: 3");
    meta.replace(meta.find("type: resource"), 14, "type: renamed1");
    std::ofstream(result + "/3/.metadata.yaml.tmp", std::ios::trunc) << meta;
    fs::rename(result + "/3/.metadata.yaml.tmp", result + "/3/metadata.yaml");
  }
  ExpectSameAsWalk(0, "metadata.yaml replaced by rename");

  // Rename a data-name directory by hand, and remove a whole model by hand.
  Tick();
  fs::rename(NameDir(kModelA, "log2"), NameDir(kModelA, "log3"));
  ExpectSameAsWalk(0, "mv data-name dir");
  Tick();
  SaveN(kModelB, "again", 1);
  ExpectSameAsWalk(0, "model B back");
  Tick();
  fs::remove_all(repo_.data_root + "/command/shell/" + kModelB);
  st = ExpectSameAsWalk(0, "rm -rf model");
  EXPECT_EQ(st.removed, 1);
  // An unrelated fen write afterwards still agrees.
  Tick();
  SaveN(kModelA, "fresh", 2, "log");
  ExpectSameAsWalk(0, "final");
}

TEST_F(CatalogTest, RacyWindowCatchesSameTickInPlaceRewrite) {
  SaveN(kModelA, "result", 1);
  ExpectSameAsWalk(2'000'000'000, "cold");
  // Same size, same inode, immediately: only the racy rule can catch this on filesystems
  // whose timestamps did not move.
  const std::string meta = NameDir(kModelA, "result") + "/1/metadata.yaml";
  std::string text = testing::Slurp(meta);
  text.replace(text.find("type: resource"), 14, "type: resourcX");
  { std::ofstream(meta, std::ios::trunc) << text; }
  auto st = ExpectSameAsWalk(2'000'000'000, "same-tick rewrite");
  EXPECT_EQ(st.reread, 1);
}

TEST_F(CatalogTest, CorruptOrForeignCatalogFileIsRebuiltSilently) {
  SaveN(kModelA, "result", 2);
  ExpectSameAsWalk(0, "cold");
  const std::string db = dir_.path() + "/.swamp/.fen/catalog.db";
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db + suffix);
  { std::ofstream(db, std::ios::trunc) << std::string(8192, 'x'); }
  auto st = ExpectSameAsWalk(0, "garbage catalog");
  EXPECT_TRUE(st.rebuilt);
  EXPECT_EQ(st.reread, 1);
  fs::remove(db);
  st = ExpectSameAsWalk(0, "deleted catalog");
  EXPECT_EQ(st.reread, 1);
  st = ExpectSameAsWalk(0, "warm again");
  EXPECT_EQ(st.reread, 0);
}

TEST_F(CatalogTest, FixtureSearchEqualsWalk) {
  TempDir tmp;
  repo_ = MakeRepo(testing::CopyFixtureRepo(tmp.path()));
  plain_ = OpenFilesystemDataStore(Env::Default(), repo_);
  auto st = ExpectSameAsWalk(2'000'000'000, "fixture cold");
  EXPECT_GT(st.name_dirs, 5);
  ExpectSameAsWalk(2'000'000'000, "fixture warm");
}

// A refresh loads the rows without their records; each model's records are fetched when that
// model is asked for. A row that left the file in between (another process's refresh dropped
// it, or the file was rebuilt) or was replaced (another process wrote a row for a newer, or a
// late write-back for an older, state) must not be answered from: the tree answers it.
TEST_F(CatalogTest, RecordsThatLeaveOrChangeInTheFileAfterTheCheckAreReadFromTheTree) {
  SaveN(kModelA, "result", 2);
  SaveN(kModelA, "log", 1, "log");
  SaveN(kModelB, "out", 3);
  ExpectSameAsWalk(0, "cold");
  auto render = [](const Result<std::vector<DataRecord>>& r) {
    std::string out;
    if (!r.ok()) return "error " + r.status().message();
    for (const auto& rec : *r) out += MetadataToYaml(rec);
    return out;
  };
  const char* kEdits[] = {
      "DELETE FROM name_dirs",
      // Another process's row with no record (kind 0) for these directories.
      "UPDATE name_dirs SET kind = 0, record = x''",
      // Same kind, other stamps (any bytes but the validated row's): a row for another state
      // of the directories, whose record (here: the other model's) must not be taken.
      "UPDATE name_dirs SET stamps = zeroblob(144), record = (SELECT record FROM name_dirs"
      " WHERE path LIKE '%/out')",
      // The validated row, its record damaged: undecodable, so the tree answers.
      "UPDATE name_dirs SET record = x'ff'",
      "UPDATE name_dirs SET unverified = 1, record = (SELECT record FROM name_dirs"
      " WHERE path LIKE '%/out')",
  };
  for (const char* edit : kEdits) {
    SCOPED_TRACE(edit);
    fs::remove(store_path());
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(store_path() + suffix);
    ExpectSameAsWalk(0, "rebuilt");
    auto store = OpenCatalog(0);
    ASSERT_TRUE(store->ListModels(nullptr).ok());
    EXPECT_EQ(store->last_refresh().reread, 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store_path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, edit, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto from_catalog = store->FindAllForModel("command/shell", kModelA, nullptr);
    auto from_tree = plain_->FindAllForModel("command/shell", kModelA, nullptr);
    EXPECT_EQ(render(from_catalog), render(from_tree));
    ASSERT_TRUE(from_catalog.ok());
    EXPECT_EQ(from_catalog->size(), 2u);
    const ArtifactKey out{"command/shell", kModelB, "out"};
    EXPECT_EQ(RenderOwn(store->FindOwnLatest(out)), RenderOwn(plain_->FindOwnLatest(out)));
    EXPECT_NE(RenderOwn(store->FindOwnLatest(out)).find("version: 3"), std::string::npos);
    const ArtifactKey result{"command/shell", kModelA, "result"};
    EXPECT_EQ(RenderOwn(store->FindOwnLatest(result)), RenderOwn(plain_->FindOwnLatest(result)));
  }
}

// Rows damaged in the file (a kind out of range, stamps that do not decode) are never trusted:
// their directories are re-read and the answers are the tree's.
TEST_F(CatalogTest, DamagedRowsAreReReadFromTheTree) {
  SaveN(kModelA, "result", 2);
  SaveN(kModelA, "log", 1, "log");
  SaveN(kModelB, "out", 3);
  ExpectSameAsWalk(0, "cold");
  for (const char* edit : {"UPDATE name_dirs SET kind = 7", "UPDATE name_dirs SET stamps = x'ff'",
                           "UPDATE name_dirs SET stamps = x''"}) {
    SCOPED_TRACE(edit);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store_path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, edit, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto store = OpenCatalog(0);
    ASSERT_TRUE(store->ListModels(nullptr).ok());
    EXPECT_EQ(store->last_refresh().reread, 3);
    for (const char* model : {kModelA, kModelB}) {
      auto from_catalog = store->FindAllForModel("command/shell", model, nullptr);
      auto from_tree = plain_->FindAllForModel("command/shell", model, nullptr);
      ASSERT_TRUE(from_catalog.ok());
      ASSERT_TRUE(from_tree.ok());
      EXPECT_EQ(*from_catalog, *from_tree);
    }
  }
}

TEST_F(CatalogTest, MutationsThroughCatalogStoreDropTheSnapshot) {
  SaveN(kModelA, "result", 2);
  auto store = OpenCatalog(0);
  std::vector<CorruptReport> reports;
  ASSERT_TRUE(store->ListModels(&reports).ok());
  ASSERT_TRUE(
      store->DeleteVersions(ArtifactKey{"command/shell", kModelA, "result"}, {2}, nullptr).ok());
  auto recs = store->FindAllForModel("command/shell", kModelA, &reports);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].version, 1);
}

}  // namespace
}  // namespace fen::storage
