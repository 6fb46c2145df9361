// Process-level tests of fen's catalogs: `fen data search` through fen's catalog reflects
// changes made by another program without a reindex (storage.md §7.7, F8), and fen commands
// leave swamp's `_catalog.db` invalidated or warn (§7.8, F9).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/storage_test_util.h"

namespace fen {
namespace {

using storage::testing::CopyFixtureRepo;
using storage::testing::Slurp;
using storage::testing::TempDir;
namespace fs = std::filesystem;

struct FenRun {
  int rc = -1;
  std::string out, err;
};

FenRun Fen(const std::string& repo, const std::vector<std::string>& args,
           const std::string& scratch) {
  const std::string out_path = scratch + "/out", err_path = scratch + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(repo.c_str()) != 0) _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<std::string> copy = args;
    std::string bin = FEN_BINARY;
    std::vector<char*> argv{bin.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    unsetenv("SWAMP_REPO_DIR");
    unsetenv("SWAMP_DATASTORE");
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return FenRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out_path), Slurp(err_path)};
}

std::string Count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "?";
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = std::to_string(sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

const char kHello[] = "84900049-e41d-42e9-941e-cca09d30cb7b";

TEST(CatalogCliTest, SearchSeesForeignChangesWithoutReindex) {
  TempDir tmp;
  const std::string repo = CopyFixtureRepo(tmp.path());
  FenRun first = Fen(repo, {"data", "search", "--json"}, tmp.path());
  ASSERT_EQ(first.rc, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["total"], 8);
  EXPECT_TRUE(fs::exists(repo + "/.swamp/.fen/catalog.db"));
  // A person removes hello's `result` artifact by hand.
  fs::remove_all(repo + "/.swamp/data/command/shell/" + kHello + "/result");
  FenRun second = Fen(repo, {"data", "search", "--json"}, tmp.path());
  ASSERT_EQ(second.rc, 0) << second.err;
  auto j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["total"], 7);
  for (const auto& r : j["results"]) {
    EXPECT_FALSE(r["modelId"] == kHello && r["name"] == "result");
  }
}

TEST(CatalogCliTest, DeleteInvalidatesSwampCatalog) {
  TempDir tmp;
  const std::string repo = CopyFixtureRepo(tmp.path());
  const std::string db = repo + "/.swamp/data/_catalog.db";
  ASSERT_EQ(Count(db, "SELECT count(*) FROM catalog WHERE namespace = ''"), "27");
  FenRun r = Fen(repo, {"data", "delete", "hello", "log", "--version", "1", "--json"}, tmp.path());
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Count(db, "SELECT count(*) FROM catalog WHERE namespace = ''"), "0");
  EXPECT_EQ(Count(db, "SELECT count(*) FROM catalog_meta WHERE key = 'populated'"), "0");
  EXPECT_EQ(Count(db, "SELECT count(*) FROM catalog_meta WHERE key = 'schema_version'"), "1");
}

TEST(CatalogCliTest, FailedInvalidationWarnsAndIsRetried) {
  TempDir tmp;
  const std::string repo = CopyFixtureRepo(tmp.path());
  const std::string db = repo + "/.swamp/data/_catalog.db";
  const std::string park = tmp.path() + "/park";
  fs::create_directories(park);
  for (const char* s : {"", "-wal", "-shm"}) {
    if (fs::exists(db + s)) fs::rename(db + s, park + "/c" + s);
  }
  { std::ofstream(db) << std::string(4096, 'z'); }
  FenRun r = Fen(repo, {"data", "delete", "hello", "log", "--version", "1", "--json"}, tmp.path());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto line = r.err.substr(0, r.err.find('\n'));
  auto w = nlohmann::json::parse(line);
  EXPECT_EQ(w["warning"], "catalog_invalidation_failed");
  EXPECT_EQ(w["path"], db);
  EXPECT_FALSE(w["error"].get<std::string>().empty());
  const std::string marker = repo + "/.swamp/.fen/swamp-catalog-invalidation-pending";
  EXPECT_TRUE(fs::exists(marker));
  // Log mode wording.
  FenRun again = Fen(repo, {"data", "list", "hello"}, tmp.path());
  EXPECT_EQ(again.rc, 0);
  EXPECT_NE(again.err.find("Warning: could not invalidate swamp's catalog at " + db + ": "),
            std::string::npos)
      << again.err;
  // Repaired: the next command (a read) retries and clears the marker.
  fs::remove(db);
  for (const char* s : {"", "-wal", "-shm"}) {
    if (fs::exists(park + "/c" + s)) fs::rename(park + "/c" + s, db + s);
  }
  FenRun fixed = Fen(repo, {"data", "list", "hello", "--json"}, tmp.path());
  EXPECT_EQ(fixed.rc, 0);
  EXPECT_EQ(fixed.err, "");
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(Count(db, "SELECT count(*) FROM catalog WHERE namespace = ''"), "0");
}

}  // namespace
}  // namespace fen
