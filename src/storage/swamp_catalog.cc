// swamp catalog invalidation (shared/spec/storage.md §7.8; docs/design/catalog.md §5).
#include "fen/storage/swamp_catalog.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "fen/base/clock.h"
#include "fen/env/durable_file.h"

namespace fen::storage {
namespace {

constexpr int kBusyTimeoutMs = 5000;  // §7.8 item 3: >= 5000 ms
constexpr const char* kMarkerName = "swamp-catalog-invalidation-pending";

std::string SqliteError(sqlite3* db, int rc) {
  if (db != nullptr) return sqlite3_errmsg(db);
  return sqlite3_errstr(rc);
}

}  // namespace

std::string SwampCatalogPath(const RepoContext& repo) {
  return repo.repo_dir + "/.swamp/data/_catalog.db";
}

std::string PendingInvalidationMarkerPath(const RepoContext& repo) {
  return repo.repo_dir + "/.swamp/.fen/" + kMarkerName;
}

struct SwampCatalogInvalidator::Connection {
  sqlite3* db = nullptr;
  ~Connection() {
    if (db != nullptr) sqlite3_close_v2(db);
  }
};

SwampCatalogInvalidator::SwampCatalogInvalidator(Env* env, RepoContext repo, int64_t racy_margin_ns)
    : env_(env), repo_(std::move(repo)), racy_margin_ns_(racy_margin_ns) {}

SwampCatalogInvalidator::~SwampCatalogInvalidator() {
  // Closing the last connection checkpoints the WAL and removes it: stamp what is left after.
  conn_.reset();
  if (left_clean_) RecordCleanStamp();
}

std::string SwampCatalogInvalidator::CleanStampPath(const RepoContext& repo) {
  return repo.repo_dir + "/.swamp/.fen/swamp-catalog-clean";
}

std::string SwampCatalogInvalidator::CurrentStamps(int64_t* newest_ctime_ns) const {
  const std::string db = SwampCatalogPath(repo_);
  std::string line = "ns=" + repo_.ns;
  *newest_ctime_ns = 0;
  for (const std::string& path : {db, db + "-wal"}) {
    auto st = env_->Lstat(path);
    if (!st.ok()) {
      if (!st.status().IsNotFound() || path == db) return "";
      line += " -";
      continue;
    }
    line += " " + std::to_string(st->dev) + ":" + std::to_string(st->ino) + ":" +
            std::to_string(st->size) + ":" + std::to_string(st->mtime_ns) + ":" +
            std::to_string(st->ctime_ns);
    *newest_ctime_ns = std::max(*newest_ctime_ns, st->ctime_ns);
  }
  return line;
}

// File format: "{recorded_ns} {stamps}\n" (not fsynced: a lost or torn file only costs one
// full invalidation).
bool SwampCatalogInvalidator::CleanStampHolds() const {
  auto text = env_->ReadFile(CleanStampPath(repo_));
  if (!text.ok()) return false;
  const size_t space = text->find(' ');
  if (space == std::string::npos || text->empty() || text->back() != '\n') return false;
  int64_t recorded_ns = 0;
  for (size_t i = 0; i < space; ++i) {
    if ((*text)[i] < '0' || (*text)[i] > '9' || i >= 19) return false;
    recorded_ns = recorded_ns * 10 + ((*text)[i] - '0');
  }
  int64_t newest_ctime_ns = 0;
  const std::string now = CurrentStamps(&newest_ctime_ns);
  if (now.empty() || text->compare(space + 1, text->size() - space - 2, now) != 0) return false;
  return newest_ctime_ns < recorded_ns - racy_margin_ns_;
}

void SwampCatalogInvalidator::RecordCleanStamp() const {
  // A write by anyone after our transaction has a ctime after clean_at_ns_ (less a coarse-clock
  // tick). Recording within half the margin of it keeps every such ctime within the margin of
  // the recording time, so a stamp that caught one is never trusted (CleanStampHolds).
  const int64_t recorded_ns = WallNowNanos();
  if (recorded_ns - clean_at_ns_ >= racy_margin_ns_ / 2) return;
  int64_t newest_ctime_ns = 0;
  const std::string stamps = CurrentStamps(&newest_ctime_ns);
  if (stamps.empty()) return;
  // Not fsynced: a lost or torn stamp costs one full invalidation.
  (void)ReplaceFileNotDurably(env_, CleanStampPath(repo_),
                              std::to_string(recorded_ns) + " " + stamps + "\n");
}

Status SwampCatalogInvalidator::Invalidate() {
  skipped_last_ = false;
  if (conn_ == nullptr && !left_clean_ && CleanStampHolds()) {
    skipped_last_ = true;
    return Status::Ok();
  }
  left_clean_ = false;
  const std::string path = SwampCatalogPath(repo_);
  // §7.8 item 2: fen never creates the catalog.
  auto st = env_->Stat(path);
  if (!st.ok()) {
    if (st.status().IsNotFound()) {
      conn_.reset();
      return Status::Ok();
    }
    return Status(ErrorCode::kIoError, st.status().message());
  }
  if (conn_ == nullptr) {
    auto conn = std::make_unique<Connection>();
    // No SQLITE_OPEN_CREATE: a file that vanished in between is not re-created.
    int rc = sqlite3_open_v2(path.c_str(), &conn->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) return Status(ErrorCode::kIoError, SqliteError(conn->db, rc));
    sqlite3_busy_timeout(conn->db, kBusyTimeoutMs);
    conn_ = std::move(conn);
  }
  sqlite3* db = conn_->db;
  auto fail = [&](int rc) {
    std::string msg = SqliteError(db, rc);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    conn_.reset();  // reopen next time
    return Status(ErrorCode::kIoError, msg);
  };
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  // §7.8 item 4: only a schema-4 catalog with its `catalog` table is touched.
  bool schema4 = false;
  {
    sqlite3_stmt* q = nullptr;
    rc = sqlite3_prepare_v2(db,
                            "SELECT (SELECT value FROM catalog_meta WHERE key='schema_version'),"
                            " (SELECT count(*) FROM sqlite_master WHERE type='table' AND"
                            " name='catalog')",
                            -1, &q, nullptr);
    if (rc != SQLITE_OK) {
      // No catalog_meta table: not a schema-4 catalog (a SQLITE_NOTADB here is a failure).
      if (rc == SQLITE_ERROR) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return Status::Ok();
      }
      return fail(rc);
    }
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      const unsigned char* v = sqlite3_column_text(q, 0);
      schema4 = v != nullptr && std::string(reinterpret_cast<const char*>(v)) == "4" &&
                sqlite3_column_int(q, 1) == 1;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) return fail(rc);
  }
  if (!schema4) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    // swamp rebuilds a catalog of another schema version itself (T2).
    left_clean_ = true;
    clean_at_ns_ = WallNowNanos();
    return Status::Ok();
  }
  sqlite3_stmt* del = nullptr;
  rc = sqlite3_prepare_v2(db, "DELETE FROM catalog WHERE namespace = ?1", -1, &del, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  sqlite3_bind_text(del, 1, repo_.ns.c_str(), static_cast<int>(repo_.ns.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(del);
  sqlite3_finalize(del);
  if (rc != SQLITE_DONE) return fail(rc);
  rc = sqlite3_exec(db, "DELETE FROM catalog_meta WHERE key = 'populated'", nullptr, nullptr,
                    nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  left_clean_ = true;
  clean_at_ns_ = WallNowNanos();
  return Status::Ok();
}

bool SwampCatalogInvalidator::InvalidateOrMark(SwampCatalogFailure* failure) {
  Status s = Invalidate();
  if (s.ok()) return true;
  failure->path = SwampCatalogPath(repo_);
  failure->reason = s.message();
  const std::string marker = PendingInvalidationMarkerPath(repo_);
  const std::string dir = ParentDir(marker);
  if (CreateDirsDurably(env_, dir).ok()) {
    (void)WriteFileDurably(env_, dir, kMarkerName, failure->path);
  }
  return false;
}

bool RetryPendingSwampCatalogInvalidation(Env* env, const RepoContext& repo,
                                          SwampCatalogFailure* failure) {
  const std::string marker = PendingInvalidationMarkerPath(repo);
  if (!env->Access(marker, 0)) return false;
  SwampCatalogInvalidator inv(env, repo);
  Status s = inv.Invalidate();
  if (!s.ok()) {
    failure->path = SwampCatalogPath(repo);
    failure->reason = s.message();
    return true;
  }
  Status u = env->Unlink(marker);
  if (u.ok()) (void)env->SyncDir(ParentDir(marker));
  return false;
}

}  // namespace fen::storage
