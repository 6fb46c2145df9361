// `datastore lock status` / `release --force` logic. See include/fen/locking/lock_inspector.h and
// docs/design/locking.md §8.
#include "fen/locking/lock_inspector.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "fen/locking/lock_layout.h"
#include "locking/holder_info.h"
#include "locking/ofd_lock.h"
#include "locking/swamp_lock_file.h"
#include "locking/swamp_protocol.h"

namespace fen::locking {
namespace {

const char* kLiveProcessReason = "held by a live process — stop it to release the lock";

// Opens an existing lock target (status must not create files). nullopt = does not exist.
Result<std::optional<OfdLock>> OpenExisting(const std::string& path, bool read_write) {
  int fd = ::open(path.c_str(), (read_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<OfdLock>();
    return Status(ErrorCode::kLockUnavailable, "cannot open lock file " + path, errno);
  }
  return std::optional<OfdLock>(OfdLock::Adopt(fd, path));
}

void AddCommon(Json& j, const RepoContext& repo) { j["datastoreType"] = repo.datastore_type; }

// type/id of a swamp per-model file path under the data root (§2.1 parseModelLockKey).
std::string ScopeOf(const std::string& data_root, const std::string& path) {
  std::string rel = path.substr(data_root.size() + 1);             // {type...}/{id}/.lock
  rel = rel.substr(0, rel.size() - std::string("/.lock").size());  // {type...}/{id}
  return rel;
}

ClassifyOptions Classify() {
  ClassifyOptions o;
  o.local_hostname = ProcessIdentity::Current().hostname;
  if (const char* q = std::getenv("FEN_LEGACY_STALE_MS")) {
    char* end = nullptr;
    long long v = std::strtoll(q, &end, 10);
    if (v > 0) o.quarantine_ms = v;
  }
  return o;
}

// A swamp-format file as a status object (model or global).
std::optional<Json> SwampEntry(Env* env, const RepoContext& repo, const std::string& path,
                               const ClassifyOptions& opts, const std::string& scope) {
  auto c = ClassifySwampFile(env, path, opts);
  Json j = Json::object();
  if (!c.ok() || c->state == SwampFileState::kUnreadable) {
    j["held"] = true;
    AddCommon(j, repo);
    if (!scope.empty()) j["lockScope"] = scope;
    j["source"] = "swamp";
    j["error"] = c.ok() ? c->error : c.status().message();
    return j;
  }
  switch (c->state) {
    case SwampFileState::kAbsent:
      return std::nullopt;
    case SwampFileState::kLive:
    case SwampFileState::kStale:
      j["held"] = c->state == SwampFileState::kLive;
      j["info"] = c->info->raw;
      AddCommon(j, repo);
      if (!scope.empty()) j["lockScope"] = scope;
      j["mode"] = "exclusive";
      if (c->state == SwampFileState::kStale) j["stale"] = true;
      j["source"] = "swamp";
      return j;
    case SwampFileState::kInvalid:
    case SwampFileState::kAbandoned:
      j["held"] = c->state == SwampFileState::kInvalid;  // blocks only inside the quarantine
      AddCommon(j, repo);
      if (!scope.empty()) j["lockScope"] = scope;
      j["corrupt"] = true;
      if (c->state == SwampFileState::kAbandoned) j["stale"] = true;
      j["source"] = "swamp";
      return j;
    default:
      return std::nullopt;
  }
}

Json FenEntry(const ObservedHolder& h, const RepoContext& repo, bool model) {
  Json j = Json::object();
  j["held"] = h.live;
  if (h.info.is_object()) j["info"] = h.info;
  AddCommon(j, repo);
  if (model && h.info.is_object() && h.info.contains("lockScope")) {
    j["lockScope"] = h.info["lockScope"];
  }
  j["mode"] = h.info.is_object() ? h.info.value("mode", std::string("exclusive")) : "exclusive";
  if (!h.live) j["stale"] = true;
  j["source"] = "fen";
  return j;
}

}  // namespace

Result<LockStatusReport> InspectLocks(Env* env, const RepoContext& repo) {
  FEN_ASSIGN_OR_RETURN(LockLayout layout, LockLayout::Make(repo.datastore_root, repo.ns));
  LockStatusReport report;
  ClassifyOptions opts = Classify();

  // Model locks: fen info files (live and stale), then swamp per-model files.
  auto dirs = env->ListDir(layout.scope_dir() + "/holders");
  if (dirs.ok()) {
    for (const DirEntry& d : *dirs) {
      if (d.name.rfind("model-", 0) != 0) continue;
      FEN_ASSIGN_OR_RETURN(auto holders, ReadHolders(env, layout.holders_dir(d.name)));
      for (const auto& h : holders) report.models.push_back(FenEntry(h, repo, true));
    }
  }
  auto scan = ScanSwampModelLocks(env, layout.data_root());
  if (!scan.ok()) return scan.status();
  for (const std::string& path : *scan) {
    auto e = SwampEntry(env, repo, path, opts, ScopeOf(layout.data_root(), path));
    if (!e) continue;
    // The swamp-format twin of a live fen holder's lock is the same lock: list it once.
    bool twin = false;
    for (const Json& m : report.models) {
      if (m.value("source", "") == "fen" && m.value("held", false) && e->contains("info") &&
          m.value("lockScope", "") == e->value("lockScope", "") && m.contains("info") &&
          m["info"].value("pid", int64_t{0}) == (*e)["info"].value("pid", int64_t{-1}) &&
          m["info"].value("hostname", "") == (*e)["info"].value("hostname", "")) {
        twin = true;
      }
    }
    if (!twin) report.models.push_back(std::move(*e));
  }

  // Global: fen's `global` held exclusively (a structural command), else the swamp global file.
  Json global = Json::object();
  FEN_ASSIGN_OR_RETURN(auto target, OpenExisting(layout.global_path(), false));
  bool exclusive = false;
  if (target) {
    FEN_ASSIGN_OR_RETURN(bool conflict, target->WouldConflict(LockMode::kShared));
    exclusive = conflict;
  }
  FEN_ASSIGN_OR_RETURN(auto holders, ReadHolders(env, layout.holders_dir("global")));
  const ObservedHolder* structural = nullptr;
  const ObservedHolder* stale = nullptr;
  for (const auto& h : holders) {
    if (!h.info.is_object() || h.info.value("mode", std::string()) != "exclusive") continue;
    if (h.live && structural == nullptr) structural = &h;
    if (!h.live && stale == nullptr) stale = &h;
  }
  if (exclusive) {
    global["held"] = true;
    if (structural != nullptr) global["info"] = structural->info;
    AddCommon(global, repo);
    global["mode"] = "exclusive";
    global["source"] = "fen";
  } else if (auto e = SwampEntry(env, repo, layout.swamp_global_path(), opts, "")) {
    global = std::move(*e);
  } else if (stale != nullptr) {
    global = FenEntry(*stale, repo, false);
  } else {
    global["held"] = false;
    AddCommon(global, repo);
  }
  report.global = std::move(global);
  return report;
}

Result<Json> ForceReleaseLock(Env* env, const RepoContext& repo,
                              const std::optional<ModelRef>& model) {
  FEN_ASSIGN_OR_RETURN(LockLayout layout, LockLayout::Make(repo.datastore_root, repo.ns));
  if (model) FEN_RETURN_IF_ERROR(ValidateModelRef(*model));
  std::string holders_dir =
      model ? layout.holders_dir(LockLayout::ModelLockName(*model)) : layout.holders_dir("global");
  std::string swamp_path = model ? layout.swamp_model_path(*model) : layout.swamp_global_path();

  // Remove stale info files (their holders died) in every case.
  FEN_ASSIGN_OR_RETURN(auto holders, ReadHolders(env, holders_dir));
  for (const auto& h : holders) {
    if (!h.live) env->Unlink(h.path).ok();
  }

  // Try-locks only: prove that no live fen process holds the target.
  std::optional<OfdLock> global_lock, model_lock;
  bool obtained = true;
  FEN_ASSIGN_OR_RETURN(global_lock, OpenExisting(layout.global_path(), true));
  if (global_lock) {
    FEN_ASSIGN_OR_RETURN(bool got,
                         global_lock->TryLock(model ? LockMode::kShared : LockMode::kExclusive));
    obtained = got;
  }
  if (obtained && model) {
    FEN_ASSIGN_OR_RETURN(model_lock, OpenExisting(layout.model_path(*model), true));
    if (model_lock) {
      FEN_ASSIGN_OR_RETURN(bool got, model_lock->TryLock(LockMode::kExclusive));
      obtained = got;
    }
  }
  Json out = Json::object();
  auto c = ClassifySwampFile(env, swamp_path, Classify());
  if (!c.ok()) return c.status();
  if (!obtained) {
    // A live fen process holds the kernel lock. It owns the swamp-format file only if the file
    // names it (fen writes the file after its info file, with the same pid and host); a fen
    // process that is merely waiting on a swamp or corrupt file does not, and that file may
    // be broken (docs/design/locking.md §8).
    bool fen_owned = c->state == SwampFileState::kAbsent || c->state == SwampFileState::kUnreadable;
    if (c->info) {
      FEN_ASSIGN_OR_RETURN(auto live, ReadHolders(env, holders_dir));
      for (const auto& h : live) {
        if (h.live && h.info.is_object() && h.info.value("pid", int64_t{0}) == c->info->pid &&
            h.info.value("hostname", std::string()) == c->info->hostname) {
          fen_owned = true;
        }
      }
    }
    if (fen_owned) {
      out["released"] = false;
      out["reason"] = kLiveProcessReason;
      return out;
    }
  }
  switch (c->state) {
    case SwampFileState::kAbsent:
      out["released"] = false;
      out["reason"] = "no lock held";
      return out;
    case SwampFileState::kUnreadable:
      return Status(ErrorCode::kLockUnavailable,
                    "Cannot read lock file " + swamp_path + ": " + c->error);
    default:
      break;
  }
  FEN_ASSIGN_OR_RETURN(ReapOutcome reaped, ReapSwampFile(env, swamp_path, c->dev, c->ino));
  if (reaped != ReapOutcome::kReaped) {
    out["released"] = false;
    out["reason"] = "lock holder changed — aborting to avoid breaking an active lock";
    return out;
  }
  out["released"] = true;
  out["previousHolder"] = c->info ? c->info->raw : Json(nullptr);
  return out;
}

}  // namespace fen::locking
