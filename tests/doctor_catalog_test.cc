// doctor datastores and the catalogs: a damaged fen catalog is reported and rebuilt by
// --repair; --repair invalidates swamp's catalog (storage.md §7.8) and clears a pending marker.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "fen/doctor/datastore_doctor.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/swamp_catalog.h"

namespace fen {
namespace {

namespace fs = std::filesystem;

struct FixtureCopy {
  std::string dir;
  FixtureCopy() {
    dir = fs::temp_directory_path() / ("fen-doctor-cat-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::copy(std::string(FEN_FIXTURES_DIR) + "/swamp-repo", dir, fs::copy_options::recursive);
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    }
    fs::permissions(dir, fs::perms::owner_write, fs::perm_options::add);
  }
  ~FixtureCopy() { fs::remove_all(dir); }
};

int64_t SwampRows(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST(DoctorCatalogTest, DamagedFenCatalogIsReportedAndRebuilt) {
  FixtureCopy fx;
  RepoOpenOptions o;
  o.repo_dir_flag = fx.dir;
  auto repo = OpenRepo(Env::Default(), o);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  std::string cat = fx.dir + "/.swamp/.fen/catalog.db";
  fs::create_directories(fx.dir + "/.swamp/.fen");
  std::ofstream(cat) << "this is not a database, just garbage bytes that fill a page......";

  doctor::DoctorOptions check;
  auto report = doctor::CheckDatastore(Env::Default(), *repo, check);
  ASSERT_TRUE(report.ok());
  bool found = false;
  for (const auto& p : report->problems) found = found || p.kind == "catalog_corrupt";
  EXPECT_TRUE(found);

  doctor::DoctorOptions repair;
  repair.repair = true;
  auto fixed = doctor::CheckDatastore(Env::Default(), *repo, repair);
  ASSERT_TRUE(fixed.ok());
  for (const auto& p : fixed->problems) {
    if (p.kind == "catalog_corrupt") {
      EXPECT_TRUE(p.repaired) << p.action;
    }
  }
  auto again = doctor::CheckDatastore(Env::Default(), *repo, check);
  ASSERT_TRUE(again.ok());
  for (const auto& p : again->problems) EXPECT_NE(p.kind, "catalog_corrupt");
  // --repair also invalidated swamp's catalog: no rows for the solo namespace, no `populated`.
  std::string swamp_db = storage::SwampCatalogPath(*repo);
  EXPECT_EQ(SwampRows(swamp_db, "SELECT count(*) FROM catalog WHERE namespace = ''"), 0);
  EXPECT_EQ(SwampRows(swamp_db, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), 0);
  EXPECT_EQ(SwampRows(swamp_db, "SELECT count(*) FROM catalog_meta WHERE key = 'schema_version'"),
            1);
}

TEST(DoctorCatalogTest, PendingSwampInvalidationIsReportedAndCleared) {
  FixtureCopy fx;
  RepoOpenOptions o;
  o.repo_dir_flag = fx.dir;
  auto repo = OpenRepo(Env::Default(), o);
  ASSERT_TRUE(repo.ok());
  std::string marker = storage::PendingInvalidationMarkerPath(*repo);
  fs::create_directories(fs::path(marker).parent_path());
  std::ofstream(marker) << "pending";
  doctor::DoctorOptions repair;
  repair.repair = true;
  auto report = doctor::CheckDatastore(Env::Default(), *repo, repair);
  ASSERT_TRUE(report.ok());
  bool seen = false;
  for (const auto& p : report->problems) {
    if (p.kind == "swamp_catalog_invalidation_pending") {
      seen = true;
      EXPECT_TRUE(p.repaired) << p.action;
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_FALSE(fs::exists(marker));
}

}  // namespace
}  // namespace fen
