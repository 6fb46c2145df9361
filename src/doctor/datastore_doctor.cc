// `fen doctor datastores`: the checks and repairs of docs/design/doctor.md (storage.md §5.8,
// §5.9, §6.5). See include/fen/doctor/datastore_doctor.h for the contract.
#include "fen/doctor/datastore_doctor.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <sqlite3.h>

#include "fen/base/sha256.h"
#include "fen/storage/catalog.h"
#include "fen/storage/swamp_catalog.h"
#include "fen/storage/data_format.h"
#include "fen/storage/filesystem_data_store.h"
#include "locking/holder_info.h"
#include "fen/env/durable_file.h"

namespace fen::doctor {
namespace {

constexpr int kMaxDepth = 40;  // guard against pathological trees

bool StartsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// `.{anything}.tmp`: fen's and swamp's atomic-write temp files (storage.md §3.7, §5.8).
bool IsTmpName(const std::string& n) {
  return n.size() > 5 && n[0] == '.' && n.compare(n.size() - 4, 4, ".tmp") == 0;
}

// What a repair does to a problem once the report is complete.
enum class RepairAction { kNone, kRemoveTree, kRemoveIncompleteVersion, kRemoveStaleInfo };

struct PendingRepair {
  size_t problem = 0;
  RepairAction action = RepairAction::kNone;
  std::string hwm_dir;   // kRemoveIncompleteVersion: {fen dir}/hwm/{type}/{modelId}
  std::string hwm_name;  // the data name
  int64_t version = 0;
};

class Doctor {
 public:
  Doctor(Env* env, const RepoContext& repo, const DoctorOptions& options)
      : env_(env), repo_(repo), options_(options) {
    report_.datastore_root = repo.datastore_root;
    report_.data_root = repo.data_root;
    report_.repair = options.repair;
  }

  Result<DoctorReport> Run() {
    auto root = env_->Lstat(repo_.data_root);
    if (!root.ok() && !root.status().IsNotFound()) return root.status();
    if (root.ok() && root->type != FileType::kDirectory) {
      Add("data_root_not_directory", Severity::kCorruption, repo_.data_root,
          "the data root is not a directory (symlinks are not followed)", false,
          "left alone: needs a human");
    } else if (root.ok()) {
      WalkLeftovers(repo_.data_root, 0);
      CheckArtifacts();
    }
    CheckTrash();
    CheckHwm(repo_.fen_dir + "/hwm", 0);
    CheckLockInfoFiles();
    CheckCatalogs();
    if (options_.repair) {
      Repair();
      RepairCatalogs();
    }
    return std::move(report_);
  }

 private:
  size_t Add(std::string kind, Severity severity, std::string path, std::string message,
             bool repairable, std::string action) {
    for (size_t i = 0; i < report_.problems.size(); ++i) {  // one report per path and kind
      if (report_.problems[i].kind == kind && report_.problems[i].path == path) return i;
    }
    Problem p;
    p.kind = std::move(kind);
    p.severity = severity;
    p.path = std::move(path);
    p.message = std::move(message);
    p.repairable = repairable;
    p.action = std::move(action);
    report_.problems.push_back(std::move(p));
    return report_.problems.size() - 1;
  }

  void AddRemovable(std::string kind, std::string path, std::string message) {
    size_t i = Add(std::move(kind), Severity::kLeftover, std::move(path), std::move(message), true,
                   "left alone: run with --repair to remove it");
    repairs_.push_back({i, RepairAction::kRemoveTree, "", "", 0});
  }

  // §5.8 leftovers anywhere under the data root, and symlinks fen would never create.
  void WalkLeftovers(const std::string& dir, int depth) {
    if (depth > kMaxDepth) return;
    auto entries = env_->ListDir(dir);
    if (!entries.ok()) {
      Add("unreadable", Severity::kCorruption, dir, entries.status().message(), false,
          "left alone: needs a human");
      return;
    }
    for (const auto& e : *entries) {
      const std::string path = dir + "/" + e.name;
      if (e.type == FileType::kDirectory) {
        if (StartsWith(e.name, ".fen-stage-")) {
          AddRemovable("staging_leftover", path, "staging directory of an interrupted write");
        } else if (StartsWith(e.name, ".fen-trash-")) {
          AddRemovable("trash_leftover", path, "trash directory of an interrupted removal");
        } else {
          WalkLeftovers(path, depth + 1);
        }
      } else if (e.type == FileType::kRegular && IsTmpName(e.name)) {
        AddRemovable("tmp_leftover", path, "temporary file of an interrupted atomic write");
      } else if (e.type == FileType::kSymlink && e.name != "latest") {
        Add("unexpected_symlink", Severity::kCorruption, path,
            "symbolic link inside the data tree (fen never follows or creates it)", false,
            "left alone: fen never follows or removes planted symlinks");
      }
    }
  }

  // True iff every component of `path` from `base` down is a real directory (no symlink), so
  // listing and removing under it stays inside the datastore. `base` itself is checked too.
  bool RealDirChain(const std::string& base, const std::string& path) {
    std::string cur = path;
    while (true) {
      auto st = env_->Lstat(cur);
      if (!st.ok() || st->type != FileType::kDirectory) {
        if (st.ok()) {
          Add("unexpected_symlink", Severity::kCorruption, cur,
              "expected a directory, found a symbolic link or file", false,
              "left alone: fen never follows or removes planted symlinks");
        }
        return false;
      }
      if (cur == base || cur.size() <= base.size()) return true;
      cur = ParentDir(cur);
    }
  }

  void CheckTrash() {
    const std::string trash = repo_.fen_dir + "/trash";
    if (!RealDirChain(repo_.datastore_root, trash)) return;
    auto entries = env_->ListDir(trash);
    if (!entries.ok()) return;  // absent: nothing to report
    for (const auto& e : *entries) {
      AddRemovable("trash_leftover", trash + "/" + e.name,
                   "removed data not yet deleted from fen's trash");
    }
  }

  // {fen dir}/hwm/{type...}/{modelId}/{dataName}: each regular file must hold a decimal number.
  void CheckHwm(const std::string& dir, int depth) {
    if (depth > kMaxDepth) return;
    if (depth == 0 && !RealDirChain(repo_.datastore_root, dir)) return;
    auto entries = env_->ListDir(dir);
    if (!entries.ok()) return;
    for (const auto& e : *entries) {
      const std::string path = dir + "/" + e.name;
      if (e.type == FileType::kDirectory) {
        CheckHwm(path, depth + 1);
      } else if (e.type == FileType::kRegular && IsTmpName(e.name)) {
        AddRemovable("tmp_leftover", path, "temporary file of an interrupted HWM write");
      } else if (e.type == FileType::kRegular) {
        auto text = env_->ReadFile(path);
        if (!text.ok()) {
          Add("corrupt_hwm", Severity::kCorruption, path, text.status().message(), false,
              "left alone: treated as absent until the next write replaces it");
        } else if (!storage::ParseVersionStrict(*text)) {
          Add("corrupt_hwm", Severity::kCorruption, path,
              "high-water mark is not a positive decimal number", false,
              "left alone: treated as absent until the next write replaces it");
        }
      } else {
        Add("corrupt_hwm", Severity::kCorruption, path, "high-water mark is not a regular file",
            false, "left alone: needs a human");
      }
    }
  }

  // locking.md §6.7: {D}/.fen/locks/{scope}/holders/{lockname}/*.json whose presence lock is
  // not held describe a holder that is gone (its process died before removing the file).
  // Liveness comes from the kernel (ReadHolders), never from pids or clocks.
  void CheckLockInfoFiles() {
    const std::string locks = repo_.datastore_root + "/.fen/locks";
    if (!RealDirChain(repo_.datastore_root, locks)) return;
    auto scopes = env_->ListDir(locks);
    if (!scopes.ok()) return;
    for (const auto& scope : *scopes) {
      if (scope.type != FileType::kDirectory) continue;
      const std::string holders = locks + "/" + scope.name + "/holders";
      auto names = env_->ListDir(holders);
      if (!names.ok()) continue;
      for (const auto& lockname : *names) {
        if (lockname.type != FileType::kDirectory) continue;
        if (!RealDirChain(repo_.datastore_root, holders + "/" + lockname.name)) continue;
        auto observed = locking::ReadHolders(env_, holders + "/" + lockname.name);
        if (!observed.ok()) continue;
        for (const auto& h : *observed) {
          if (h.live) continue;
          AddRemovable("stale_lock_info", h.path,
                       "lock holder information file whose holder is gone (presence lock free)");
          repairs_.back().action = RepairAction::kRemoveStaleInfo;
        }
      }
    }
  }

  void CheckArtifacts() {
    auto store = storage::OpenFilesystemDataStore(
        env_, storage::FilesystemLayout{repo_.data_root, repo_.fen_dir, false});
    std::vector<storage::CorruptReport> walk_reports;
    auto models = store->ListModels(&walk_reports);
    if (!models.ok()) {
      Add("unreadable", Severity::kCorruption, repo_.data_root, models.status().message(), false,
          "left alone: needs a human");
      return;
    }
    for (const auto& r : walk_reports) {
      Add("invalid_model_path", Severity::kCorruption, r.path, r.reason, false,
          "left alone: needs a human");
    }
    for (const auto& m : *models) {
      ++report_.models;
      auto names = store->ListDataNames(m.type, m.model_id);
      if (!names.ok()) continue;  // reported by the leftover walk as unreadable
      for (const auto& name : *names) {
        if (StartsWith(name, ".fen-") || !storage::ValidateDataName(name).ok()) continue;
        ++report_.artifacts;
        CheckArtifact(m, name);
      }
    }
  }

  void CheckArtifact(const storage::ModelKey& m, const std::string& name) {
    const std::string name_dir = repo_.data_root + "/" + m.type + "/" + m.model_id + "/" + name;
    auto entries = env_->ListDir(name_dir);
    if (!entries.ok()) {
      Add("unreadable", Severity::kCorruption, name_dir, entries.status().message(), false,
          "left alone: needs a human");
      return;
    }
    std::set<int64_t> complete;
    bool has_latest = false;
    for (const auto& e : *entries) {
      if (e.name == "latest") {
        has_latest = true;
        continue;
      }
      auto v = storage::ParseVersionStrict(e.name);
      if (!v || e.type != FileType::kDirectory) continue;
      const std::string vdir = name_dir + "/" + e.name;
      auto meta = env_->Lstat(vdir + "/metadata.yaml");
      if (!meta.ok() || meta->type != FileType::kRegular) {
        if (meta.ok() || meta.status().IsNotFound()) {
          size_t i = Add("incomplete_version", Severity::kLeftover, vdir,
                         "numbered directory without metadata.yaml (interrupted swamp write)", true,
                         "left alone: run with --repair to remove it (the HWM is raised first)");
          repairs_.push_back({i, RepairAction::kRemoveIncompleteVersion,
                              repo_.fen_dir + "/hwm/" + m.type + "/" + m.model_id, name, *v});
        } else {
          Add("unreadable", Severity::kCorruption, vdir + "/metadata.yaml", meta.status().message(),
              false, "left alone: needs a human");
        }
        continue;
      }
      ++report_.versions;
      if (CheckVersion(vdir)) complete.insert(*v);
    }
    if (!has_latest) {
      if (!complete.empty()) {
        Add("latest_missing", Severity::kWarning, name_dir + "/latest",
            "no latest marker; readers fall back to the highest complete version " +
                std::to_string(*complete.rbegin()),
            false, "left alone: a legal state; the next write creates the marker");
      }
      return;
    }
    CheckLatest(name_dir, complete);
  }

  // Metadata parses and validates; raw matches size and checksum where recorded. Returns true
  // when the version is complete (metadata readable); content mismatches are still reported.
  bool CheckVersion(const std::string& vdir) {
    const std::string meta_path = vdir + "/metadata.yaml";
    auto text = env_->ReadFile(meta_path);
    if (!text.ok()) {
      Add("corrupt_metadata", Severity::kCorruption, meta_path, text.status().message(), false,
          "left alone: needs a human");
      return false;
    }
    auto rec = storage::ParseMetadataYaml(*text);
    if (!rec.ok()) {
      Add("corrupt_metadata", Severity::kCorruption, meta_path, rec.status().message(), false,
          "left alone: needs a human");
      return false;
    }
    const std::string raw_path = vdir + "/raw";
    auto st = env_->Lstat(raw_path);
    if (!st.ok() || st->type != FileType::kRegular) {
      std::string why = st.ok() ? "raw is not a regular file" : st.status().message();
      Add("raw_missing", Severity::kCorruption, raw_path, why, false, "left alone: needs a human");
      return true;
    }
    if (rec->size && static_cast<uint64_t>(*rec->size) != st->size) {
      Add("size_mismatch", Severity::kCorruption, raw_path,
          "raw has " + std::to_string(st->size) + " bytes, metadata.yaml records " +
              std::to_string(*rec->size),
          false, "left alone: needs a human");
      return true;
    }
    if (rec->checksum) {
      auto bytes = env_->ReadFile(raw_path);
      if (!bytes.ok()) {
        Add("unreadable", Severity::kCorruption, raw_path, bytes.status().message(), false,
            "left alone: needs a human");
      } else if (Sha256Hex(*bytes) != *rec->checksum) {
        Add("checksum_mismatch", Severity::kCorruption, raw_path,
            "raw does not match the SHA-256 checksum in metadata.yaml", false,
            "left alone: needs a human");
      }
    }
    return true;
  }

  void CheckLatest(const std::string& name_dir, const std::set<int64_t>& complete) {
    const std::string marker = name_dir + "/latest";
    std::optional<int64_t> v;
    auto st = env_->Lstat(marker);
    if (st.ok() && st->type == FileType::kSymlink) {
      auto target = env_->ReadLink(marker);
      if (target.ok()) {
        std::string t = *target;
        if (!t.empty() && t.back() == '/') t.pop_back();
        v = storage::ParseVersionLenient(t);
      }
    } else if (st.ok() && st->type == FileType::kRegular) {
      auto text = env_->ReadFile(marker);
      if (text.ok()) v = storage::ParseMarkerText(*text);
    }
    if (!v) {
      Add("latest_garbled", Severity::kCorruption, marker, "latest marker does not name a version",
          false, "left alone: needs a human");
      return;
    }
    if (complete.count(*v) == 0) {
      Add("latest_dangling", Severity::kCorruption, marker,
          "latest names version " + std::to_string(*v) + ", which is not a complete version", false,
          "left alone: needs a human");
      return;
    }
    if (!complete.empty() && *v < *complete.rbegin()) {
      Add("latest_lags", Severity::kWarning, marker,
          "latest names version " + std::to_string(*v) + " but version " +
              std::to_string(*complete.rbegin()) + " is complete",
          false, "left alone: a legal state (deferred write); the next write moves it");
    }
  }

  // §5.9: raise (never lower) the HWM durably before a numbered directory disappears.
  Status RaiseHwm(const PendingRepair& r) {
    const std::string file = r.hwm_dir + "/" + r.hwm_name;
    auto text = env_->ReadFile(file);
    if (text.ok()) {
      auto cur = storage::ParseVersionStrict(*text);
      if (cur && *cur >= r.version) return Status::Ok();
    }
    FEN_RETURN_IF_ERROR(CreateDirsDurably(env_, r.hwm_dir));
    return WriteFileDurably(env_, r.hwm_dir, r.hwm_name, std::to_string(r.version));
  }

  // fen's catalog is a cache that validates itself on every use (docs/design/catalog.md), so
  // the only inconsistency left to find is a damaged file; swamp's catalog may have a pending
  // invalidation (storage.md §7.8 item 7).
  void CheckCatalogs() {
    std::string path = FenCatalogPath();
    if (env_->Lstat(path).ok()) {
      std::string error;
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        error = db != nullptr ? sqlite3_errmsg(db) : "cannot open";
      } else {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, nullptr) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
          error = sqlite3_errmsg(db);
        } else {
          const unsigned char* text = sqlite3_column_text(st, 0);
          std::string result = text != nullptr ? reinterpret_cast<const char*>(text) : "";
          if (result != "ok") error = result;
        }
        sqlite3_finalize(st);
      }
      sqlite3_close(db);
      if (!error.empty()) {
        Add("catalog_corrupt", Severity::kWarning, path,
            "fen's catalog is damaged (" + error + "); it is a cache and is rebuilt from the tree",
            true, "left alone: run with --repair to rebuild it");
      }
    }
    if (env_->Lstat(storage::PendingInvalidationMarkerPath(repo_)).ok()) {
      Add("swamp_catalog_invalidation_pending", Severity::kWarning,
          storage::SwampCatalogPath(repo_),
          "swamp's catalog has not been invalidated after a fen change", true,
          "left alone: run with --repair (or any fen data command) to invalidate it");
    }
  }

  std::string FenCatalogPath() const { return repo_.repo_dir + "/.swamp/.fen/catalog.db"; }

  // cli.md §7.11 (fen): --repair rebuilds fen's catalog and invalidates swamp's catalog (never
  // deleting swamp's files).
  void RepairCatalogs() {
    bool damaged = false;
    for (auto& p : report_.problems) damaged = damaged || p.kind == "catalog_corrupt";
    if (damaged) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        (void)env_->Unlink(FenCatalogPath() + suffix);
      }
    }
    std::vector<storage::CorruptReport> ignored;
    auto catalog = storage::OpenCatalogDataStore(
        env_, repo_, storage::OpenFilesystemDataStore(env_, repo_), storage::CatalogOptions{});
    Status rebuilt = catalog->ListModels(&ignored).status();
    storage::SwampCatalogInvalidator swamp(env_, repo_);
    Status invalidated = swamp.Invalidate();
    if (invalidated.ok()) (void)env_->Unlink(storage::PendingInvalidationMarkerPath(repo_));
    for (auto& p : report_.problems) {
      if (p.kind == "catalog_corrupt") {
        p.repaired = rebuilt.ok();
        p.action = rebuilt.ok() ? "rebuilt" : "left alone: rebuild failed: " + rebuilt.message();
      } else if (p.kind == "swamp_catalog_invalidation_pending") {
        p.repaired = invalidated.ok();
        p.action = invalidated.ok() ? "invalidated"
                                    : "left alone: invalidation failed: " + invalidated.message();
      }
    }
  }

  void Repair() {
    std::set<std::string> touched_dirs;
    for (const auto& r : repairs_) {
      Problem& p = report_.problems[r.problem];
      Status s;
      if (r.action == RepairAction::kRemoveIncompleteVersion) s = RaiseHwm(r);
      if (r.action == RepairAction::kRemoveStaleInfo) {
        // Re-check under the structural lock: a holder may have started since the check.
        auto again = locking::ReadHolders(env_, ParentDir(p.path));
        bool live = !again.ok();
        if (again.ok()) {
          for (const auto& h : *again) live = live || (h.path == p.path && h.live);
        }
        if (live) {
          p.action = "left alone: its holder is alive again";
          continue;
        }
      }
      if (s.ok()) s = env_->RemoveTree(p.path);
      if (s.ok()) {
        p.repaired = true;
        p.action = "removed";
        touched_dirs.insert(ParentDir(p.path));
      } else {
        p.action = "left alone: could not remove: " + s.message();
      }
    }
    // Make the removals durable (storage.md §5.1 P2).
    for (const auto& d : touched_dirs) (void)env_->SyncDir(d);
  }

  Env* env_;
  const RepoContext& repo_;
  DoctorOptions options_;
  DoctorReport report_;
  std::vector<PendingRepair> repairs_;
};

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kCorruption:
      return "corruption";
    case Severity::kLeftover:
      return "leftover";
    case Severity::kWarning:
      return "warning";
  }
  return "corruption";
}

int64_t DoctorReport::Count(Severity s) const {
  return std::count_if(problems.begin(), problems.end(),
                       [s](const Problem& p) { return p.severity == s; });
}

int64_t DoctorReport::RepairedCount() const {
  return std::count_if(problems.begin(), problems.end(),
                       [](const Problem& p) { return p.repaired; });
}

Result<DoctorReport> CheckDatastore(Env* env, const RepoContext& repo,
                                    const DoctorOptions& options) {
  return Doctor(env, repo, options).Run();
}

}  // namespace fen::doctor
