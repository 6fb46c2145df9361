// swamp catalog invalidation (storage.md §7.8) against a copy of the fixture repository, whose
// catalog content lives in `_catalog.db-wal` (copied together with the database).
#include "fen/storage/swamp_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fen/storage/catalog.h"
#include "fen/storage/filesystem_data_store.h"
#include "storage/storage_test_util.h"

namespace fen::storage {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

const char kHello[] = "84900049-e41d-42e9-941e-cca09d30cb7b";

// Runs one query on the copy and returns the first column of every row, '|'-joined.
std::string Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out += (out.empty() ? "" : "|") + std::string(t ? reinterpret_cast<const char*>(t) : "");
      }
    } else {
      out = std::string("ERROR: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

class SwampCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = testing::CopyFixtureRepo(tmp_.path());
    repo_.repo_dir = dir;
    repo_.datastore_root = dir + "/.swamp";
    repo_.data_root = dir + "/.swamp/data";
    repo_.fen_dir = dir + "/.swamp/.fen";
    repo_.models_dir = dir + "/models";
    db_ = repo_.data_root + "/_catalog.db";
  }
  std::unique_ptr<CatalogDataStore> Store() {
    CatalogOptions o;
    o.on_invalidation_failure = [this](const SwampCatalogFailure& f) { failures_.push_back(f); };
    return OpenCatalogDataStore(Env::Default(), repo_,
                                OpenFilesystemDataStore(Env::Default(), repo_), o);
  }
  Status DeleteHelloLogV1(DataStore* s) {
    return s->DeleteVersions(ArtifactKey{"command/shell", kHello, "log"}, {1}, nullptr);
  }
  std::string Schema() { return Query(db_, "SELECT sql FROM sqlite_master ORDER BY name"); }

  TempDir tmp_;
  RepoContext repo_;
  std::string db_;
  std::vector<SwampCatalogFailure> failures_;
};

TEST_F(SwampCatalogTest, FenMutationDeletesNamespaceRowsAndPopulated) {
  ASSERT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "27");
  ASSERT_EQ(Query(db_, "SELECT value FROM catalog_meta WHERE key='schema_version'"), "4");
  // Make the T1 key and a foreign row present, so that both rules are observable.
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  Query(db_,
        "INSERT INTO catalog(namespace, type_normalized, model_id, data_name, id, version,"
        " model_name, created_at) VALUES ('other', 't', 'm', 'n', 'i', 1, 'x', 'now')");
  const std::string schema = Schema();
  struct stat before {};
  ASSERT_EQ(stat(db_.c_str(), &before), 0);

  auto store = Store();
  ASSERT_TRUE(DeleteHelloLogV1(store.get()).ok());

  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "0");
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
  EXPECT_EQ(Query(db_, "SELECT value FROM catalog_meta WHERE key='schema_version'"), "4");
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = 'other'"), "1");
  EXPECT_EQ(Schema(), schema);
  struct stat after {};
  ASSERT_EQ(stat(db_.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // never replaced
  EXPECT_TRUE(failures_.empty());
  EXPECT_FALSE(fs::exists(PendingInvalidationMarkerPath(repo_)));
}

TEST_F(SwampCatalogTest, RenameSaveAndDeleteArtifactInvalidateToo) {
  auto store = Store();
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  ASSERT_TRUE(store->Rename(ArtifactKey{"command/shell", kHello, "result"}, "result2").ok());
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "0");
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  ASSERT_TRUE(store->DeleteArtifact(ArtifactKey{"command/shell", kHello, "result2"}, nullptr).ok());
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
}

TEST_F(SwampCatalogTest, OtherSchemaVersionIsLeftAlone) {
  Query(db_, "UPDATE catalog_meta SET value = '3' WHERE key = 'schema_version'");
  auto store = Store();
  ASSERT_TRUE(DeleteHelloLogV1(store.get()).ok());
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "27");
  EXPECT_TRUE(failures_.empty());
}

TEST_F(SwampCatalogTest, MissingCatalogIsNeverCreated) {
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(db_ + s);
  auto store = Store();
  ASSERT_TRUE(DeleteHelloLogV1(store.get()).ok());
  EXPECT_FALSE(fs::exists(db_));
  EXPECT_TRUE(failures_.empty());
}

TEST_F(SwampCatalogTest, FailureWarnsLeavesMarkerAndNextCommandRetries) {
  // Park the real catalog; put a non-database file in its place.
  const std::string park = tmp_.path() + "/park";
  fs::create_directories(park);
  for (const char* s : {"", "-wal", "-shm"}) {
    if (fs::exists(db_ + s)) fs::rename(db_ + s, park + "/_catalog.db" + s);
  }
  { std::ofstream(db_) << std::string(4096, 'z'); }
  auto store = Store();
  ASSERT_TRUE(DeleteHelloLogV1(store.get()).ok());  // the data change stands
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].path, db_);
  EXPECT_FALSE(failures_[0].reason.empty());
  EXPECT_TRUE(fs::exists(PendingInvalidationMarkerPath(repo_)));
  EXPECT_FALSE(fs::exists(repo_.data_root + "/command/shell/" + kHello + "/log/1"));

  // Still broken: the retry reports again and keeps the marker.
  SwampCatalogFailure f;
  EXPECT_TRUE(RetryPendingSwampCatalogInvalidation(Env::Default(), repo_, &f));
  EXPECT_TRUE(fs::exists(PendingInvalidationMarkerPath(repo_)));

  // Restored: the next command's retry invalidates and clears the marker.
  fs::remove(db_);
  for (const char* s : {"", "-wal", "-shm"}) {
    if (fs::exists(park + "/_catalog.db" + s)) fs::rename(park + "/_catalog.db" + s, db_ + s);
  }
  ASSERT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "27");
  EXPECT_FALSE(RetryPendingSwampCatalogInvalidation(Env::Default(), repo_, &f));
  EXPECT_FALSE(fs::exists(PendingInvalidationMarkerPath(repo_)));
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog WHERE namespace = ''"), "0");
}

// docs/design/catalog.md §5.1: an unchanged, already invalidated catalog is not opened again;
// any later write to it (swamp's backfill) brings the full invalidation back.
TEST_F(SwampCatalogTest, AnUnchangedInvalidatedCatalogIsSkippedUntilSomeoneWritesIt) {
  constexpr int64_t kMargin = 200'000'000;  // 200 ms instead of 2 s
  const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(260)); };
  const auto run = [&](const RepoContext& repo) {
    SwampCatalogInvalidator inv(Env::Default(), repo, kMargin);
    EXPECT_TRUE(inv.Invalidate().ok());
    return inv.skipped_last();
  };
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  EXPECT_FALSE(run(repo_));  // rows to delete; the close checkpoints into the database file
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
  EXPECT_FALSE(run(repo_));  // the stamp it left is racy (the files changed just before)
  pause();
  EXPECT_FALSE(run(repo_));  // still the racy stamp; this one records a trusted stamp
  EXPECT_TRUE(run(repo_));   // unchanged: SQLite is not opened
  EXPECT_FALSE(fs::exists(db_ + "-wal"));
  EXPECT_TRUE(run(repo_));

  RepoContext other = repo_;  // the stamp names its namespace
  other.ns = "team-b";
  EXPECT_FALSE(run(other));

  // swamp backfills: a write to the catalog changes its stamps, and fen invalidates again.
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  EXPECT_FALSE(run(repo_));
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");

  // A stamp file that is torn or foreign is ignored.
  pause();
  EXPECT_FALSE(run(repo_));
  EXPECT_TRUE(run(repo_));
  { std::ofstream(SwampCatalogInvalidator::CleanStampPath(repo_)) << "12 ns= garbage"; }
  EXPECT_FALSE(run(repo_));
}

// A write racing the invalidation, after its transaction and before the stamp is recorded,
// must not be hidden: with the real 2 s margin a fresh stamp is never trusted.
TEST_F(SwampCatalogTest, AFreshStampIsNeverTrusted) {
  {
    SwampCatalogInvalidator inv(Env::Default(), repo_);
    ASSERT_TRUE(inv.Invalidate().ok());
  }
  ASSERT_TRUE(fs::exists(SwampCatalogInvalidator::CleanStampPath(repo_)));
  Query(db_, "INSERT INTO catalog_meta(key, value) VALUES ('populated', 'true')");
  SwampCatalogInvalidator inv(Env::Default(), repo_);
  ASSERT_TRUE(inv.Invalidate().ok());
  EXPECT_FALSE(inv.skipped_last());
  EXPECT_EQ(Query(db_, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
}

}  // namespace
}  // namespace fen::storage
