// fen's catalog: a stamp-validated SQLite cache of each data-name directory's own latest record
// (shared/spec/storage.md §7.7). Design, schema and the R1-R4 argument: docs/design/catalog.md.
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "fen/base/clock.h"
#include "fen/base/huge_pages.h"
#include "fen/env/durable_file.h"
#include "fen/env/read_many.h"
#include "fen/env/stat_many.h"
#include "fen/storage/catalog.h"
#include "fen/storage/data_format.h"
#include "fen/storage/model_dir_walk.h"
#include "storage/catalog_row_codec.h"

namespace fen::storage {
namespace {

constexpr const char* kFormat = "fen-catalog-3";  // docs/design/catalog.md §2
constexpr int kBusyTimeoutMs = 5000;
constexpr int kMaxRenameDepth = 5;  // §4.6, as FilesystemDataStore::FindByName

// ---- stamps (docs/design/catalog.md §3) ----
using Stamp = CatalogStamp;
using RowStamps = CatalogRowStamps;

Stamp StampOf(const Result<FileInfo>& st) {
  Stamp s;
  if (!st.ok()) return s;
  s.exists = (st->type == FileType::kRegular || st->type == FileType::kDirectory) ? 1 : 2;
  s.dev = static_cast<int64_t>(st->dev);
  s.ino = static_cast<int64_t>(st->ino);
  s.mtime_ns = st->mtime_ns;
  s.ctime_ns = st->ctime_ns;
  s.size = static_cast<int64_t>(st->size);
  return s;
}

// ---- the cached value of one data-name directory: its own latest (§3.5, no rename follow) ----
enum class Kind : int { kNone = 0, kRecord = 1, kError = 2 };

struct Row {
  RowStamps stamps;
  Kind kind = Kind::kNone;
  int err_code = 0;
  std::string err_msg;
  // kind 1: the record (EncodeCatalogRecord). A row loaded from the file leaves it out until its
  // model's records are needed (`blob_loaded`; CatalogStore::LoadBlobs): decoding or even
  // holding 100 000 records at once was most of a search's memory and time
  // (docs/design/catalog.md §3.1).
  std::string record_blob;
  bool blob_loaded = false;
  bool blob_absent = false;  // the file no longer holds this row's record (LoadBlobs)
  int64_t latest_version = 0;
  bool unverified = false;
  bool visited = false;
  bool dirty = false;
};

// The rows of one model directory ("{type}/{model id}"). The file's rows arrive in key order,
// so a model's rows are contiguous and sorted by data name: they go into one vector, without a
// node or a key string per row (a hash map of 100 000 rows was a quarter of a warm search,
// docs/design/catalog.md §3.1). Rows for directories the file did not know are added in a map:
// the vector never grows after loading, so pointers into either stay valid until cleared.
struct ModelRows {
  std::vector<std::pair<std::string, Row>> loaded;  // sorted by data name
  std::map<std::string, Row, std::less<>> added;

  Row* Find(std::string_view name) {
    auto it = std::lower_bound(loaded.begin(), loaded.end(), name,
                               [](const auto& e, std::string_view n) { return e.first < n; });
    if (it != loaded.end() && it->first == name) return &it->second;
    auto a = added.find(name);
    return a == added.end() ? nullptr : &a->second;
  }
};

// Starts `fn` on a new thread, or returns false when the system refuses one (EAGAIN under a
// process or container limit): the callers then do the work on their own thread.
template <typename Thread, typename Fn>
bool StartThread(Thread* t, Fn&& fn) {
  try {
    // Each helper allocates megabytes at 100k artifacts (docs/design/cli.md §7).
    *t = Thread([f = std::forward<Fn>(fn)]() mutable {
      PreferHugePagesForThisThread();
      f();
    });
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

// FilesystemDataStore's report rule for a failed lookup (a corrupt-data message names the file).
void Report(std::vector<CorruptReport>* reports, const std::string& path, const Status& s) {
  if (reports == nullptr) return;
  std::string reason = s.message();
  if (s.code() == ErrorCode::kCorruptData && reason.rfind("Corrupt data ", 0) == 0) {
    size_t colon = reason.find(": ", 13);
    if (colon != std::string::npos) {
      reports->push_back({reason.substr(13, colon - 13), reason.substr(colon + 2)});
      return;
    }
  }
  const std::string prefix = "Corrupt data " + path + ": ";
  if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
  reports->push_back({path, reason});
}

// ---- SQLite helpers ----
struct Db {
  sqlite3* db = nullptr;
  ~Db() {
    if (db != nullptr) sqlite3_close_v2(db);
  }
  bool Exec(const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
};

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return s_; }
  void Text(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void Blob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string ColStr(int i) { return std::string(ColView(i)); }
  // Valid until the next Step/Reset.
  std::string_view ColView(int i) {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? std::string_view()
                        : std::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

// What the plain walk would give for one model: FindAllForModel's records and reports.
struct ModelSnapshot {
  std::vector<DataRecord> records;
  std::vector<CorruptReport> reports;
};

// A model the last refresh validated: its data-name directories are work items [begin, end).
// Its snapshot is built when FindAllForModel asks for it (once; the records are handed over).
struct ValidatedModel {
  std::string key_prefix;  // "{type}/{model id}/" (work items point into it)
  size_t begin = 0, end = 0;
  bool taken = false;
};

class CatalogStore final : public CatalogDataStore {
 public:
  CatalogStore(Env* env, const RepoContext& repo, std::unique_ptr<DataStore> inner,
               CatalogOptions options)
      : env_(env), repo_(repo), inner_(std::move(inner)), options_(std::move(options)) {
    if (options_.catalog_path.empty()) {
      options_.catalog_path = repo.repo_dir + "/.swamp/.fen/catalog.db";  // §2, §7.7
    }
  }

  ~CatalogStore() override { DropSnapshot(); }
  CatalogStore(const CatalogStore&) = delete;
  CatalogStore& operator=(const CatalogStore&) = delete;

  const CatalogRefreshStats& last_refresh() const override {
    JoinStore();  // the write-back thread counts the removed rows
    return stats_;
  }

  // ---- reads answered from the catalog ----
  Result<std::vector<ModelKey>> ListModels(std::vector<CorruptReport>* reports) override {
    DropSnapshot();
    stats_ = CatalogRefreshStats{};
    if (!OpenDb()) return inner_->ListModels(reports);
    auto models = Refresh(reports);
    if (!models.ok()) {
      DropSnapshot();
      return inner_->ListModels(reports);
    }
    stats_.used_catalog = true;
    return models;
  }

  Result<std::vector<DataRecord>> FindAllForModel(const std::string& type,
                                                  const std::string& model_id,
                                                  std::vector<CorruptReport>* reports) override {
    auto it = validated_.find({type, model_id});
    if (it == validated_.end() || it->second.taken) {
      return inner_->FindAllForModel(type, model_id, reports);
    }
    // Built now and handed over, not kept (the store-wide walks ask once per model, so only
    // one model's records are in memory at a time); a second request for the same model
    // reads the tree, which gives the same answer (R1).
    it->second.taken = true;
    const ValidatedModel& vm = it->second;
    auto snap = BuildModel(ModelKey{type, model_id}, vm.begin, vm.end);
    ReleaseBlobs(vm.begin, vm.end);
    if (!snap.ok()) return inner_->FindAllForModel(type, model_id, reports);
    if (reports != nullptr) {
      reports->insert(reports->end(), snap->reports.begin(), snap->reports.end());
    }
    return std::move(snap->records);
  }

  // ---- reads delegated ----
  Result<std::optional<DataRecord>> FindByName(const ArtifactKey& key,
                                               std::optional<int64_t> version) override {
    return inner_->FindByName(key, version);
  }
  // A data-name directory validated by the last refresh answers from its row (gc's per-name
  // pass, docs/design/catalog.md §1); anything else asks the tree.
  Result<std::optional<DataRecord>> FindOwnLatest(const ArtifactKey& key) override {
    auto vm = validated_.find({key.type, key.model_id});
    if (vm != validated_.end()) {
      Row* row = FindRow(key.type + "/" + key.model_id, key.name);
      if (row != nullptr && row->visited) {
        if (!Answerable(*row)) {
          // gc and prune ask model by model: keep one model's records at a time.
          if (owned_blobs_ != nullptr && owned_blobs_ != &vm->second) {
            ReleaseBlobs(owned_blobs_->begin, owned_blobs_->end);
          }
          LoadBlobs(vm->second.begin, vm->second.end);
          owned_blobs_ = &vm->second;
        }
        if (Answerable(*row)) return OwnFromRow(*row, key);
      }
    }
    return inner_->FindOwnLatest(key);
  }
  Result<std::optional<std::string>> GetContent(const ArtifactKey& key, int64_t version) override {
    return inner_->GetContent(key, version);
  }
  std::string ContentPath(const ArtifactKey& key, int64_t version) const override {
    return inner_->ContentPath(key, version);
  }
  Result<std::vector<int64_t>> ListVersions(const ArtifactKey& key) override {
    return inner_->ListVersions(key);
  }
  Result<std::vector<DataRecord>> ReadAllVersions(const ArtifactKey& key,
                                                  std::vector<CorruptReport>* reports) override {
    return inner_->ReadAllVersions(key, reports);
  }
  Result<std::vector<std::string>> ListDataNames(const std::string& type,
                                                 const std::string& model_id) override {
    return inner_->ListDataNames(type, model_id);
  }

  // ---- mutations: delegated, then the snapshot is dropped and swamp's catalog invalidated ----
  Status DeleteVersions(const ArtifactKey& key, const std::vector<int64_t>& versions,
                        std::vector<std::string>* warnings) override {
    return AfterMutation(inner_->DeleteVersions(key, versions, warnings));
  }
  Status DeleteArtifact(const ArtifactKey& key, std::vector<std::string>* warnings) override {
    return AfterMutation(inner_->DeleteArtifact(key, warnings));
  }
  Result<RenameResult> Rename(const ArtifactKey& old_key, const std::string& new_name) override {
    auto r = inner_->Rename(old_key, new_name);
    // A failed rename may still have written and rolled back: invalidate either way.
    (void)AfterMutation(Status::Ok());
    return r;
  }
  Result<int64_t> CleanupLeftovers(std::vector<std::string>* warnings) override {
    auto r = inner_->CleanupLeftovers(warnings);
    if (r.ok() && *r > 0) (void)AfterMutation(Status::Ok());
    return r;
  }
  Result<SavedVersion> Save(const ArtifactKey& key, const DataRecord& record,
                            std::string_view content) override {
    auto r = inner_->Save(key, record, content);
    if (r.ok()) (void)AfterMutation(Status::Ok());
    return r;
  }
  Status Append(const ArtifactKey& key, std::string_view bytes) override {
    return AfterMutation(inner_->Append(key, bytes));
  }
  Result<std::unique_ptr<VersionWriter>> BeginVersion(const ArtifactKey& key,
                                                      const DataRecord& record) override;
  Result<std::vector<SavedVersion>> CommitTogether(const std::vector<VersionWriter*>& writers,
                                                   CommitParticipant* participant) override;

  // Drops the snapshot and invalidates swamp's catalog (§7.8) after a successful mutation.
  Status AfterMutation(Status s) {
    DropSnapshot();
    if (!s.ok() || options_.skip_swamp_invalidation) return s;
    if (swamp_ == nullptr) swamp_ = std::make_unique<SwampCatalogInvalidator>(env_, repo_);
    SwampCatalogFailure failure;
    if (!swamp_->InvalidateOrMark(&failure) && options_.on_invalidation_failure) {
      options_.on_invalidation_failure(failure);
    }
    return s;
  }

 private:
  // ---- the catalog file (R2: anything unusable is rebuilt silently) ----
  bool OpenDb() {
    if (db_ != nullptr) return true;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (TryOpenDb()) return true;
      db_.reset();
      // Unusable (corrupt, not a database, ...): it is a cache, remove and rebuild (R2, R3).
      for (const char* suffix : {"", "-wal", "-shm"}) {
        (void)env_->Unlink(options_.catalog_path + suffix);
      }
      stats_.rebuilt = true;
    }
    return false;
  }

  bool TryOpenDb() {
    const std::string dir = ParentDir(options_.catalog_path);
    if (!env_->Access(dir, 0) && !CreateDirs(env_, dir, nullptr).ok()) return false;
    auto db = std::make_unique<Db>();
    if (sqlite3_open_v2(options_.catalog_path.c_str(), &db->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      return false;
    }
    sqlite3_busy_timeout(db->db, kBusyTimeoutMs);
    if (!db->Exec("PRAGMA journal_mode=WAL") || !db->Exec("PRAGMA synchronous=NORMAL") ||
        !db->Exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")) {
      return false;
    }
    std::string format, root;
    {
      Stmt q(db->db, "SELECT key, value FROM meta");
      if (!q.ok()) return false;
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        std::string k = q.ColStr(0);
        if (k == "format") format = q.ColStr(1);
        if (k == "data_root") root = q.ColStr(1);
      }
      if (rc != SQLITE_DONE) return false;
    }
    if (format != kFormat || root != repo_.data_root) {
      // Old format or another data root: start over (R2).
      if (!db->Exec("BEGIN IMMEDIATE")) return false;
      bool ok = db->Exec("DROP TABLE IF EXISTS name_dirs") &&
                db->Exec(
                    "CREATE TABLE name_dirs(path TEXT PRIMARY KEY, stamps BLOB NOT NULL,"
                    " kind INTEGER NOT NULL, err_code INTEGER NOT NULL, err_msg TEXT NOT NULL,"
                    " record BLOB NOT NULL, latest_version INTEGER NOT NULL,"
                    " unverified INTEGER NOT NULL) WITHOUT ROWID");
      Stmt put(db->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
      const std::string fk = "format", fv = kFormat, rk = "data_root";
      if (ok && put.ok()) {
        put.Text(1, fk);
        put.Text(2, fv);
        ok = put.Step() == SQLITE_DONE;
        put.Reset();
        put.Text(1, rk);
        put.Text(2, repo_.data_root);
        ok = ok && put.Step() == SQLITE_DONE;
      } else {
        ok = false;
      }
      if (!ok || !db->Exec("COMMIT")) {
        db->Exec("ROLLBACK");
        return false;
      }
      stats_.rebuilt = true;
    }
    db_ = std::move(db);
    return true;
  }

  bool LoadRows() {
    rows_.clear();
    loaded_rows_ = 0;
    // Without the records: LoadBlobs fetches them model by model when they are needed.
    Stmt q(db_->db,
           "SELECT path, stamps, kind, err_code, err_msg, latest_version, unverified"
           " FROM name_dirs");
    if (!q.ok()) return false;
    int rc;
    std::string model_rel;
    ModelRows* model = nullptr;
    while ((rc = q.Step()) == SQLITE_ROW) {
      const std::string_view path = q.ColView(0);
      const size_t slash = path.rfind('/');
      if (slash == std::string_view::npos) continue;
      const std::string_view rel = path.substr(0, slash);
      const std::string_view name = path.substr(slash + 1);
      if (model == nullptr || rel != model_rel) {
        model_rel.assign(rel);
        model = &rows_[model_rel];
      }
      // Key order makes names ascending; anything else (not expected from SQLite) is skipped
      // rather than breaking the binary search: the directory is then re-read.
      if (!model->loaded.empty() && !(model->loaded.back().first < name)) continue;
      Row row;
      auto stamps = DecodeCatalogStamps(q.ColView(1));
      if (!stamps) continue;  // a damaged row: the directory is re-read
      row.stamps = *stamps;
      const int kind = sqlite3_column_int(q.get(), 2);
      if (kind < 0 || kind > static_cast<int>(Kind::kError)) continue;  // damaged: re-read
      row.kind = static_cast<Kind>(kind);
      row.err_code = sqlite3_column_int(q.get(), 3);
      if (row.kind == Kind::kError) row.err_msg = q.ColStr(4);
      row.latest_version = sqlite3_column_int64(q.get(), 5);
      row.unverified = sqlite3_column_int(q.get(), 6) != 0;
      model->loaded.emplace_back(std::string(name), std::move(row));
      ++loaded_rows_;
    }
    return rc == SQLITE_DONE;
  }

  Row* FindRow(const std::string& model_rel, std::string_view name) {
    auto it = rows_.find(model_rel);
    return it == rows_.end() ? nullptr : it->second.Find(name);
  }

  // Fetches the records of the loaded rows among work items [begin, end) (one model: a range
  // of keys) that are still without theirs. The record is taken only from a row that is still
  // the one this refresh validated (same stamps, kind 1, not unverified): another process may
  // have replaced it since with a row for a newer state of the directory, or, writing back
  // late, for an older one. A row that changed or left the file is marked absent
  // (Answerable() false, not fetched again): the tree answers it.
  void LoadBlobs(size_t begin, size_t end) {
    std::unordered_map<std::string_view, Row*> missing;  // by data name
    for (size_t i = begin; i < end; ++i) {
      Row* row = work_[i].final_row;
      if (row != nullptr && !Answerable(*row) && !row->blob_absent) {
        missing.emplace(work_[i].name, row);
      }
    }
    if (missing.empty() || db_ == nullptr) return;
    JoinStore();  // the connection is not shared with the write-back thread
    const std::string prefix(work_[begin].key_prefix);  // "{type}/{model id}/"
    std::string upper = prefix;
    upper.back() = '0';  // '/' + 1: every key with the prefix, and only those
    Stmt q(db_->db,
           "SELECT path, stamps, kind, unverified, record FROM name_dirs"
           " WHERE path >= ?1 AND path < ?2");
    if (!q.ok()) return;
    q.Text(1, prefix);
    q.Text(2, upper);
    while (q.Step() == SQLITE_ROW) {
      const std::string_view path = q.ColView(0);
      if (path.size() <= prefix.size()) continue;
      auto it = missing.find(path.substr(prefix.size()));
      if (it == missing.end()) continue;
      Row* row = it->second;
      const bool same_row = q.ColView(1) == EncodeCatalogStamps(row->stamps) &&
                            sqlite3_column_int(q.get(), 2) == static_cast<int>(Kind::kRecord) &&
                            sqlite3_column_int(q.get(), 3) == 0;
      if (!same_row) continue;
      row->record_blob = q.ColStr(4);
      row->blob_loaded = true;
      missing.erase(it);
    }
    for (auto& [name, row] : missing) row->blob_absent = true;
  }

  // Frees the records LoadBlobs fetched for work items [begin, end) (they are in the file).
  void ReleaseBlobs(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Row* row = work_[i].final_row;
      if (row == nullptr || row->dirty || !row->blob_loaded) continue;
      std::string().swap(row->record_blob);
      row->blob_loaded = false;
    }
  }

  static bool Answerable(const Row& row) { return row.kind != Kind::kRecord || row.blob_loaded; }

  void JoinStore() const {
    if (store_thread_.joinable()) store_thread_.join();
  }

  // Forgets the last refresh (after a mutation, or before the next refresh).
  void DropSnapshot() {
    JoinStore();
    owned_blobs_ = nullptr;
    validated_.clear();
    work_.clear();
    rows_.clear();
    walker_.reset();
  }

  // Writes re-read rows and drops rows whose directory vanished. A busy or failing write only
  // costs the next command a re-read (the catalog is a cache).
  void StoreRows() {
    // In key order: B-tree appends instead of random page splits (rebuild speed).
    std::vector<std::pair<std::string, const Row*>> order;
    for (const auto& [rel, model] : rows_) {
      for (const auto& [name, row] : model.loaded) {
        if (row.dirty || !row.visited) order.emplace_back(rel + "/" + name, &row);
      }
      for (const auto& [name, row] : model.added) order.emplace_back(rel + "/" + name, &row);
    }
    if (order.empty()) return;
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!db_->Exec("BEGIN IMMEDIATE")) return;
    Stmt put(db_->db,
             "INSERT OR REPLACE INTO name_dirs(path, stamps, kind, err_code, err_msg, record,"
             " latest_version, unverified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    Stmt del(db_->db, "DELETE FROM name_dirs WHERE path = ?1");
    bool ok = put.ok() && del.ok();
    for (const auto& [path, row_ptr] : order) {
      const Row& row = *row_ptr;
      if (!ok) break;
      if (!row.visited) {
        del.Text(1, path);
        ok = del.Step() == SQLITE_DONE;
        del.Reset();
        ++stats_.removed;
        continue;
      }
      if (!row.dirty) continue;
      const std::string stamps = EncodeCatalogStamps(row.stamps);
      put.Text(1, path);
      put.Blob(2, stamps);
      put.Int(3, static_cast<int>(row.kind));
      put.Int(4, row.err_code);
      put.Text(5, row.err_msg);
      put.Blob(6, row.record_blob);
      put.Int(7, row.latest_version);
      put.Int(8, row.unverified ? 1 : 0);
      ok = put.Step() == SQLITE_DONE;
      put.Reset();
    }
    if (!ok || !db_->Exec("COMMIT")) db_->Exec("ROLLBACK");
  }

  // ---- per data-name directory: validate the row's stamps or re-read (§7.7) ----
  bool Racy(const Stamp& s, int64_t now) const {
    if (s.exists == 0) return false;
    const int64_t limit = now - options_.racy_window_ns;
    return s.mtime_ns >= limit || s.ctime_ns >= limit;
  }

  // The data-name directories [begin, end) of the work list that live in one model directory.
  struct ModelWork {
    std::string type, model_id, model_dir;
    size_t begin = 0, end = 0;
  };

  // One data-name directory of the refresh. Filled by CheckModel (any thread), applied by
  // Refresh.
  struct NameDirWork {
    std::string name;             // the data-name
    std::string_view key_prefix;  // "{type}/{model id}/": name appended = the row key
    Row* cached = nullptr;        // the loaded row, if any
    Row* final_row = nullptr;     // the row after the refresh (set by Refresh)
    Stamp latest_now;             // the `latest` stamp taken by this refresh
    bool reuse = false;           // the cached row is valid
    std::unique_ptr<Row> fresh;   // the re-read row when !reuse
  };

  // Validates the cached row with two stamps, `latest` and the metadata.yaml it names
  // (docs/design/catalog.md §3 argues why these two suffice), or re-reads the directory.
  // Called from several threads at once: touches only `w`, the Env and the wrapped store's
  // read path (both thread-safe).
  void CheckModel(const ModelWork& m, std::vector<NameDirWork>& work) const {
    std::vector<StatRequest> req;
    req.reserve(m.end - m.begin);
    for (size_t i = m.begin; i < m.end; ++i) req.push_back({work[i].name + "/latest", false});
    auto latest = StatMany(env_, m.model_dir, req);
    req.clear();
    std::vector<size_t> second;
    for (size_t i = m.begin; i < m.end; ++i) {
      NameDirWork& w = work[i];
      w.latest_now = StampOf(latest[i - m.begin]);
      const Row* row = w.cached;
      if (row == nullptr || row->unverified || !(row->stamps.latest == w.latest_now)) continue;
      if (row->latest_version <= 0) {
        w.reuse = row->stamps.metadata == Stamp{};
        continue;
      }
      req.push_back({w.name + "/" + std::to_string(row->latest_version) + "/metadata.yaml", true});
      second.push_back(i);
    }
    auto metadata = StatMany(env_, m.model_dir, req);
    for (size_t j = 0; j < second.size(); ++j) {
      NameDirWork& w = work[second[j]];
      w.reuse = w.cached->stamps.metadata == StampOf(metadata[j]);
    }
    std::vector<size_t> reread;
    for (size_t i = m.begin; i < m.end; ++i) {
      if (!work[i].reuse) reread.push_back(i);
    }
    if (!reread.empty()) Reread(m, work, reread);
  }

  // Re-reads the data-name directories `which` of model `m`: their `latest` markers, then the
  // metadata.yaml each names, read relative to the model directory (ReadMany: one handle, and
  // each file's stamp from the inode read). Stamps are taken before the content, so a change
  // racing with this read shows up as a stamp difference next time.
  void Reread(const ModelWork& m, std::vector<NameDirWork>& work,
              const std::vector<size_t>& which) const {
    const int64_t wall = WallNowNanos();
    // Only a regular-file marker with a number is validated by stamps; the symlink and the
    // max-complete-version fallbacks depend on more than two stamps, so they stay unverified.
    std::vector<std::string> rels;
    std::vector<size_t> with_marker;
    for (size_t i : which) {
      work[i].fresh = std::make_unique<Row>();
      Row& row = *work[i].fresh;
      row.visited = true;
      row.dirty = true;
      row.stamps = RowStamps{};
      row.stamps.latest = work[i].latest_now;
      if (work[i].latest_now.exists == 1) {
        rels.push_back(work[i].name + "/latest");
        with_marker.push_back(i);
      }
    }
    const auto markers = ReadMany(env_, m.model_dir, rels, /*stamp=*/false);  // StatMany's lstat
    rels.clear();
    std::vector<size_t> with_metadata;
    for (size_t j = 0; j < with_marker.size(); ++j) {
      if (!markers[j].ok()) continue;
      if (auto v = ParseMarkerText(markers[j]->bytes)) {
        NameDirWork& w = work[with_marker[j]];
        w.fresh->latest_version = *v;
        rels.push_back(w.name + "/" + std::to_string(*v) + "/metadata.yaml");
        with_metadata.push_back(with_marker[j]);
      }
    }
    // The marker read above is what FindOwnLatest would read: the record is the named
    // version's, read with the store's rule (ReadMetadataRecord).
    const auto metadata = ReadMany(env_, m.model_dir, rels);
    size_t k = 0;
    for (size_t n = 0; n < which.size(); ++n) {
      NameDirWork& w = work[which[n]];
      Row& row = *w.fresh;
      Result<std::optional<DataRecord>> own = std::optional<DataRecord>();
      const bool has_marker = k < with_metadata.size() && with_metadata[k] == which[n];
      if (has_marker) {
        const Result<FileRead>& read = metadata[k];
        const std::string path = m.model_dir + "/" + rels[k];
        ++k;
        row.stamps.metadata =
            StampOf(read.ok() ? Result<FileInfo>(read->info) : Result<FileInfo>(read.status()));
        own = MetadataRecordFromRead(path, read.ok() ? Result<std::string>(read->bytes)
                                                     : Result<std::string>(read.status()));
      } else {
        row.latest_version = 0;
        own = inner_->FindOwnLatest(ArtifactKey{m.type, m.model_id, w.name});
      }
      if (!own.ok()) {
        row.kind = Kind::kError;
        row.err_code = static_cast<int>(own.status().code());
        row.err_msg = own.status().message();
      } else if (*own) {
        row.kind = Kind::kRecord;
        row.record_blob = EncodeCatalogRecord(**own);
        row.blob_loaded = true;
      }
      row.unverified =
          !has_marker || Racy(row.stamps.latest, wall) || Racy(row.stamps.metadata, wall);
    }
  }

  // Checks every directory, model by model (one directory handle each: the stamps are taken
  // with fstatat relative to the model directory), on two threads when there are enough
  // directories to pay for it.
  void CheckAll(const std::vector<ModelWork>& models, std::vector<NameDirWork>& work) const {
    if (work.size() < options_.parallel_min_name_dirs || models.size() < 2) {
      for (const auto& m : models) CheckModel(m, work);
      return;
    }
    // Alternate models: re-reads cluster, so striding keeps the two threads' loads even.
    auto odd = [&] {
      for (size_t i = 1; i < models.size(); i += 2) CheckModel(models[i], work);
    };
    std::jthread helper;  // joined on every way out
    const bool started = StartThread(&helper, odd);
    for (size_t i = 0; i < models.size(); i += 2) CheckModel(models[i], work);
    if (!started) odd();
  }

  // The own-latest of one data-name directory as FindOwnLatest would return it.
  // The row's answer; a record that does not decode (a damaged file) is answered by the tree.
  Result<std::optional<DataRecord>> OwnFromRow(const Row& row, const ArtifactKey& key) {
    switch (row.kind) {
      case Kind::kNone:
        return std::optional<DataRecord>();
      case Kind::kError:
        return Status(static_cast<ErrorCode>(row.err_code), row.err_msg);
      case Kind::kRecord: {
        auto rec = DecodeCatalogRecord(row.record_blob);
        if (!rec) return inner_->FindOwnLatest(key);
        return std::optional<DataRecord>(std::move(*rec));
      }
    }
    return std::optional<DataRecord>();
  }

  // FindAllForModel over the validated rows (same order, de-duplication, rename following and
  // reports as FilesystemDataStore::FindAllForModel / FindByName).
  Result<ModelSnapshot> BuildModel(const ModelKey& m, size_t begin, size_t end) {
    ModelSnapshot snap;
    const std::string model_rel = m.type + "/" + m.model_id;
    const std::string model_dir = repo_.data_root + "/" + model_rel;
    std::vector<std::string> names;
    LoadBlobs(begin, end);
    // The data-name directories this refresh validated (the work items of this model).
    std::unordered_map<std::string_view, Row*> own;
    own.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) own.emplace(work_[i].name, work_[i].final_row);
    const auto& entries = walker_->List(model_dir);
    if (!entries.ok()) {
      if (!entries.status().IsNotFound()) return entries.status();
    } else {
      for (const auto& e : *entries) {
        if (e.type == FileType::kDirectory) names.push_back(e.name);
      }
    }
    auto own_latest = [&](const std::string& name) -> Result<std::optional<DataRecord>> {
      auto it = own.find(name);
      if (it != own.end() && Answerable(*it->second)) {
        return OwnFromRow(*it->second, ArtifactKey{m.type, m.model_id, name});
      }
      // A rename target that is not a data-name directory (or a row whose record has left the
      // file since the check): ask the tree directly.
      return inner_->FindOwnLatest(ArtifactKey{m.type, m.model_id, name});
    };
    std::set<std::string> seen;
    for (const auto& start : names) {
      if (!ValidateDataName(start).ok()) continue;
      std::string name = start;
      Result<std::optional<DataRecord>> found = std::optional<DataRecord>();
      for (int depth = 0;; ++depth) {
        found = own_latest(name);
        if (!found.ok() || !*found) break;
        const DataRecord& rec = **found;
        if (!(rec.deleted && rec.renamed_to)) break;
        if (depth >= kMaxRenameDepth || !ValidateDataName(*rec.renamed_to).ok()) {
          found = std::optional<DataRecord>();
          break;
        }
        name = *rec.renamed_to;
      }
      if (!found.ok()) {
        Report(&snap.reports, model_dir + "/" + start, found.status());
        continue;
      }
      if (!*found) continue;
      if (!seen.insert((*found)->name).second) continue;
      snap.records.push_back(std::move(**found));
    }
    return snap;
  }

  Result<std::vector<ModelKey>> Refresh(std::vector<CorruptReport>* reports) {
    std::vector<ModelKey> models;
    std::vector<CorruptReport> walk_reports;
    // A large catalog is loaded on a second thread while this one walks the tree (both take
    // a tenth to a fifth of a warm search at 100k; docs/design/catalog.md §3.1). The walk then
    // has no witness (below): it lists one data-name directory per model instead.
    auto size = env_->Stat(options_.catalog_path);
    if (size.ok() && size->size >= options_.parallel_load_min_bytes) {
      bool loaded = false;
      auto load = [this, &loaded] { loaded = LoadRows(); };
      std::jthread loader;  // joined on every way out
      const bool started = StartThread(&loader, load);
      walker_ = std::make_unique<ModelDirWalker>(env_);
      Status walked = walker_->Walk(repo_.data_root, &models, &walk_reports);
      if (started) {
        loader.join();
      } else {
        load();
      }
      if (!loaded) return Status(ErrorCode::kIoError, "catalog unreadable");
      FEN_RETURN_IF_ERROR(walked);
      return Validate(std::move(models), std::move(walk_reports), reports);
    }
    if (!LoadRows()) return Status(ErrorCode::kIoError, "catalog unreadable");
    // The §3.2 walk shared with the plain store; a data-name directory's cached latest
    // version is a one-stat witness for the model-directory test.
    walker_ = std::make_unique<ModelDirWalker>(env_, [this](const std::string& cdir) {
      const std::string rel = cdir.substr(repo_.data_root.size() + 1);
      const size_t slash = rel.rfind('/');
      const Row* row = slash == std::string::npos
                           ? nullptr
                           : FindRow(rel.substr(0, slash), std::string_view(rel).substr(slash + 1));
      if (row == nullptr || row->latest_version <= 0) return false;
      auto st = env_->Stat(cdir + "/" + std::to_string(row->latest_version) + "/metadata.yaml");
      return st.ok() && st->type == FileType::kRegular;
    });
    FEN_RETURN_IF_ERROR(walker_->Walk(repo_.data_root, &models, &walk_reports));
    return Validate(std::move(models), std::move(walk_reports), reports);
  }

  // Steps 1-4 of the refresh, after the rows are loaded and the tree walked.
  Result<std::vector<ModelKey>> Validate(std::vector<ModelKey> models,
                                         std::vector<CorruptReport> walk_reports,
                                         std::vector<CorruptReport>* reports) {
    // 1. Every data-name directory of every model found (room first: moving 100 000 items
    //    while the vector grows costs more than the items).
    work_.reserve(loaded_rows_ + loaded_rows_ / 8 + 16);
    std::vector<ModelWork> model_work;
    std::string key;  // scratch: the row key of one data-name directory
    for (const auto& m : models) {
      auto [vm, inserted] = validated_.try_emplace({m.type, m.model_id});
      if (!inserted) continue;
      const std::string model_rel = m.type + "/" + m.model_id;
      const std::string model_dir = repo_.data_root + "/" + model_rel;
      vm->second.key_prefix = model_rel + "/";
      vm->second.begin = vm->second.end = work_.size();
      const auto& entries = walker_->List(model_dir);
      if (!entries.ok()) continue;  // BuildModel reports it
      ModelWork mw;
      mw.type = m.type;
      mw.model_id = m.model_id;
      mw.model_dir = model_dir;
      mw.begin = work_.size();
      auto model_rows = rows_.find(model_rel);
      for (const auto& e : *entries) {
        if (e.type != FileType::kDirectory || !ValidateDataName(e.name).ok()) continue;
        NameDirWork& w = work_.emplace_back();
        w.name = e.name;
        w.key_prefix = vm->second.key_prefix;
        if (model_rows != rows_.end()) w.cached = model_rows->second.Find(e.name);
      }
      mw.end = vm->second.end = work_.size();
      if (mw.end > mw.begin) model_work.push_back(std::move(mw));
    }
    // 2. Validate or re-read (stat-bound: two threads).
    CheckAll(model_work, work_);
    // 3. Apply: a re-read row replaces the loaded one in place, or is added to its model.
    for (auto& w : work_) {
      ++stats_.name_dirs;
      if (w.reuse) {
        w.cached->visited = true;
        w.final_row = w.cached;
        continue;
      }
      ++stats_.reread;
      if (w.cached != nullptr) {
        *w.cached = std::move(*w.fresh);
        w.final_row = w.cached;
      } else {
        const std::string_view prefix = w.key_prefix;
        key.assign(prefix.substr(0, prefix.size() - 1));  // "{type}/{model id}"
        ModelRows& model = rows_[key];
        w.final_row = &model.added.insert_or_assign(w.name, std::move(*w.fresh)).first->second;
      }
      w.fresh.reset();
    }
    // 4. Write back the re-read rows. A large write-back (a rebuild: ~7 µs a row) runs on a
    //    second thread while the caller consumes the models (FindAllForModel builds each
    //    model's answer from rows_, which nothing inserts into any more; only the write-back
    //    touches the database until it is joined, and stats_.removed). LoadBlobs, the next
    //    refresh, a mutation and the destructor join it.
    if (static_cast<size_t>(stats_.reread) < options_.parallel_min_name_dirs ||
        !StartThread(&store_thread_, [this] { StoreRows(); })) {
      StoreRows();
    }
    // 5. Each model's FindAllForModel answer is built when it is asked for (BuildModel).
    //    rows_ and the walker's listings stay until the snapshot is dropped.
    if (reports != nullptr)
      reports->insert(reports->end(), walk_reports.begin(), walk_reports.end());
    return models;
  }

  Env* env_;
  RepoContext repo_;
  std::unique_ptr<DataStore> inner_;
  CatalogOptions options_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<SwampCatalogInvalidator> swamp_;
  // The last refresh, until DropSnapshot: every row, the walk (its memoised listings), the
  // data-name directories (work_, grouped by model) and the models it validated.
  std::unordered_map<std::string, ModelRows> rows_;  // by "{type}/{model id}"
  size_t loaded_rows_ = 0;                           // rows read from the file
  std::unique_ptr<ModelDirWalker> walker_;
  std::vector<NameDirWork> work_;
  std::map<std::pair<std::string, std::string>, ValidatedModel> validated_;
  const ValidatedModel* owned_blobs_ = nullptr;  // whose records FindOwnLatest last fetched
  // The write-back of a large refresh (step 4 of Refresh). Joined from const last_refresh().
  mutable std::thread store_thread_;
  CatalogRefreshStats stats_;
};

// A streaming version through the catalog store: invalidation follows a successful Commit.
class CatalogVersionWriter final : public VersionWriter {
 public:
  CatalogVersionWriter(CatalogStore* store, std::unique_ptr<VersionWriter> inner)
      : store_(store), inner_(std::move(inner)) {}
  Status Append(std::string_view bytes) override { return inner_->Append(bytes); }
  Result<SavedVersion> Commit() override {
    auto r = inner_->Commit();
    if (r.ok()) (void)store_->AfterMutation(Status::Ok());
    return r;
  }
  VersionWriter* inner() const { return inner_.get(); }
  CatalogStore* store() const { return store_; }

 private:
  CatalogStore* store_;
  std::unique_ptr<VersionWriter> inner_;
};

Result<std::unique_ptr<VersionWriter>> CatalogStore::BeginVersion(const ArtifactKey& key,
                                                                  const DataRecord& record) {
  FEN_ASSIGN_OR_RETURN(std::unique_ptr<VersionWriter> w, inner_->BeginVersion(key, record));
  return std::unique_ptr<VersionWriter>(new CatalogVersionWriter(this, std::move(w)));
}

Result<std::vector<SavedVersion>> CatalogStore::CommitTogether(
    const std::vector<VersionWriter*>& writers, CommitParticipant* participant) {
  std::vector<VersionWriter*> inner;
  for (VersionWriter* w : writers) {
    auto* cw = dynamic_cast<CatalogVersionWriter*>(w);
    if (cw == nullptr || cw->store() != this) {
      return Status(ErrorCode::kInternalError, "CommitTogether: writer of another store");
    }
    inner.push_back(cw->inner());
  }
  auto r = inner_->CommitTogether(inner, participant);
  // A failed batch may have made some versions visible: invalidate either way.
  (void)AfterMutation(Status::Ok());
  return r;
}

}  // namespace

std::unique_ptr<CatalogDataStore> OpenCatalogDataStore(Env* env, const RepoContext& repo,
                                                       std::unique_ptr<DataStore> inner,
                                                       CatalogOptions options) {
  return std::make_unique<CatalogStore>(env, repo, std::move(inner), std::move(options));
}

}  // namespace fen::storage
