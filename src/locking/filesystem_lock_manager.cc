// The filesystem LockManager (kernel OFD locks). Design, invariants and the argument why the
// gate + reader-writer "global" lock replaces swamp's drains and TOCTOU recheck:
// docs/design/locking.md §2-§4. Spec: shared/spec/locking.md §6.2-§6.7.
#include "fen/locking/filesystem_lock_manager.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "fen/base/clock.h"
#include "fen/base/uuid.h"
#include "fen/locking/lock_layout.h"
#include "fen/locking/lock_timeout.h"
#include "locking/filesystem_check.h"
#include "locking/holder_info.h"
#include "locking/legacy_hold.h"
#include "locking/lock_context.h"
#include "locking/lock_messages.h"
#include "locking/ofd_lock.h"
#include "locking/swamp_protocol.h"

namespace fen::locking {
namespace {

constexpr int64_t kNoticeAfterMs = 1000;

struct HeldLock {
  std::string name;  // "global" or "model-{h}"
  OfdLock lock;
  InfoFile info;
};

// Held kernel locks; released in reverse order on destruction (info file first, then lock).
class FsLockSet : public LockSet {
 public:
  FsLockSet(Env* env, std::string context_env) : env_(env), context_env_(std::move(context_env)) {}
  ~FsLockSet() override {
    // swamp-format files go first, while the kernel locks are still held (§6.10.1).
    if (legacy_) legacy_->Release();
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
      RemoveInfoFile(env_, &it->info);
      it->lock.Unlock();
      it->lock.Close();
    }
  }
  Status CheckHeld() override { return legacy_ ? legacy_->Check() : Status::Ok(); }
  void KeepAlive(bool long_step) override {
    if (legacy_) legacy_->KeepAlive(long_step);
  }
  std::vector<std::pair<std::string, std::string>> ChildEnvironment() const override {
    std::vector<std::pair<std::string, std::string>> env;
    if (!context_env_.empty()) env.emplace_back("FEN_LOCK_CONTEXT", context_env_);
    if (writer_ && legacy_ && !legacy_->empty())
      env.emplace_back("SWAMP_LOCK_HOLDER_PID", std::to_string(getpid()));
    return env;
  }

  std::vector<HeldLock> held_;
  std::unique_ptr<LegacyHold> legacy_;
  bool writer_ = false;

 private:
  Env* env_;
  std::string context_env_;
};

class FilesystemLockManager : public LockManager {
 public:
  FilesystemLockManager(Env* env, const RepoContext& repo, FilesystemLockOptions options)
      : env_(env), repo_(repo), options_(std::move(options)) {
    if (!options_.getenv) {
      options_.getenv = [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      };
    }
  }

  Result<std::unique_ptr<LockSet>> AcquireWriter(std::vector<ModelRef> models,
                                                 const LockRequest& request) override;
  Result<std::unique_ptr<LockSet>> AcquireStructural(const LockRequest& request) override;

 private:
  // One acquisition sequence: one deadline, at most one notice.
  struct Sequence {
    const LockRequest* request;
    int64_t start_ms;
    int64_t deadline_ms;
    bool noticed = false;
  };

  Result<LockLayout> Layout() const { return LockLayout::Make(repo_.datastore_root, repo_.ns); }
  Sequence Begin(const LockRequest& request) const {
    auto env_value = options_.getenv("SWAMP_LOCK_TIMEOUT_MS");
    int64_t timeout =
        ResolveLockTimeoutMs(request.timeout_ms, env_value ? env_value->c_str() : nullptr);
    int64_t now = MonotonicNowMs();
    return Sequence{&request, now, now + timeout};
  }
  // Waits for `lock` in `mode`. On timeout returns kLockTimeout built by `on_timeout`.
  Status Wait(Sequence& seq, OfdLock& lock, LockMode mode, const std::function<void()>& notice,
              const std::function<Status(int64_t waited)>& on_timeout, bool* waited_long) {
    bool noticed_here = false;
    std::function<void()> on_notice;
    if (!seq.noticed && (seq.request->notice || seq.request->wait_warning)) {
      on_notice = [&] {
        seq.noticed = true;
        noticed_here = true;
        notice();
      };
    }
    int64_t notice_at = on_notice ? MonotonicNowMs() + kNoticeAfterMs : -1;
    FEN_ASSIGN_OR_RETURN(bool got, lock.LockUntil(mode, seq.deadline_ms, notice_at, on_notice));
    if (!got) return on_timeout(MonotonicNowMs() - seq.start_ms);
    if (waited_long != nullptr) *waited_long = noticed_here;
    return Status::Ok();
  }
  Result<InfoFile> WriteInfo(const LockLayout& layout, const std::string& lockname, LockMode mode,
                             const LockRequest& request, const ModelRef* model) const;
  // The trusted FEN_LOCK_CONTEXT entries for this scope and our own entry's skeleton.
  struct Nesting {
    std::string inherited;              // raw variable ("" = unset)
    std::vector<ContextEntry> trusted;  // ancestors holding locks in this scope
    ContextEntry own;
  };
  Nesting ReadNesting(const LockLayout& layout, const LockRequest& request) const {
    Nesting n;
    n.inherited = options_.getenv("FEN_LOCK_CONTEXT").value_or(std::string());
    auto real = env_->RealPath(layout.datastore_root());
    std::string datastore = real.ok() ? *real : layout.datastore_root();
    if (!n.inherited.empty()) {
      n.trusted = TrustedEntries(ParseLockContext(n.inherited), datastore, layout.scope());
    }
    const ProcessIdentity& me = ProcessIdentity::Current();
    n.own.pid = me.pid;
    n.own.boot_id = me.boot_id;
    n.own.pid_namespace = me.pid_namespace;
    n.own.datastore = datastore;
    n.own.scope = layout.scope();
    n.own.command = request.command;
    return n;
  }
  SwampSteps MakeSwampSteps(const LockLayout& layout, const Sequence& seq) const {
    const ProcessIdentity& me = ProcessIdentity::Current();
    SwampSteps s{env_,         &layout,         {},      {me.holder, me.hostname, me.pid},
                 seq.start_ms, seq.deadline_ms, nullptr, nullptr,
                 std::nullopt};
    s.classify.local_hostname = me.hostname;
    if (auto q = options_.getenv("FEN_LEGACY_STALE_MS")) {
      if (auto v = ParseSwampLockTimeout(*q)) s.classify.quarantine_ms = *v;
    }
    if (auto pid = options_.getenv("SWAMP_LOCK_HOLDER_PID")) {
      if (auto v = ParseSwampLockTimeout(*pid)) s.holder_pid_env = *v;
    }
    const LockRequest* r = seq.request;
    if (r->notice) s.notice = [r](const std::string& line) { r->notice(line); };
    if (r->wait_warning) {
      s.wait_warning = [r](const std::string& line) { r->wait_warning(line); };
    } else {
      s.wait_warning = s.notice;
    }
    return s;
  }
  std::unique_ptr<LegacyHold> NewLegacyHold() const {
    const ProcessIdentity& me = ProcessIdentity::Current();
    return std::make_unique<LegacyHold>(env_, LegacyHold::Identity{me.holder, me.hostname, me.pid},
                                        options_.heartbeat_ms);
  }
  // locking.md §6.12: refuse NFS mounts with host-local locks; warn on SMB/FUSE/9P. Checked
  // once per manager (statfs of the lock directory and the data root).
  Status CheckFilesystem(const LockLayout& layout, const LockRequest& request) {
    if (fs_checked_) return fs_status_;
    fs_checked_ = true;
    bool single_host = options_.getenv("FEN_SINGLE_HOST").value_or("") == "1";
    for (const std::string& dir : {layout.locks_root(), layout.data_root()}) {
      std::string warning;
      fs_status_ = CheckLockFilesystem(dir, single_host, &warning);
      if (!fs_status_.ok()) return fs_status_;
      if (!warning.empty() && request.notice) {
        request.notice("Warning: " + warning);
        break;
      }
    }
    return fs_status_;
  }
  void WaitWarning(const Sequence& seq, const std::string& line) const {
    if (seq.request->wait_warning)
      seq.request->wait_warning(line);
    else
      Notice(seq, line);
  }
  void Notice(const Sequence& seq, const std::string& line) const {
    if (seq.request->notice) seq.request->notice(line);
  }

  Env* env_;
  RepoContext repo_;
  FilesystemLockOptions options_;
  bool fs_checked_ = false;
  Status fs_status_;
};

Result<InfoFile> FilesystemLockManager::WriteInfo(const LockLayout& layout,
                                                  const std::string& lockname, LockMode mode,
                                                  const LockRequest& request,
                                                  const ModelRef* model) const {
  const ProcessIdentity& me = ProcessIdentity::Current();
  std::string nonce = NewUuidV4();
  Json info = Json::object();
  info["holder"] = me.holder;
  info["hostname"] = me.hostname;
  info["pid"] = me.pid;
  info["acquiredAt"] = NowIsoMillis();
  info["nonce"] = nonce;
  info["mode"] = mode == LockMode::kShared ? "shared" : "exclusive";
  if (model != nullptr) info["lockScope"] = ModelKey(*model);
  info["command"] = request.command;
  info["bootId"] = me.boot_id;
  info["pidNamespace"] = me.pid_namespace;
  return WriteInfoFile(env_, layout.holders_dir(lockname), nonce, info);
}

Result<std::unique_ptr<LockSet>> FilesystemLockManager::AcquireWriter(std::vector<ModelRef> models,
                                                                      const LockRequest& request) {
  FEN_ASSIGN_OR_RETURN(LockLayout layout, Layout());
  for (const ModelRef& m : models) FEN_RETURN_IF_ERROR(ValidateModelRef(m));
  FEN_RETURN_IF_ERROR(CheckFilesystem(layout, request));
  // Byte order of "type/id" (std::string compares as unsigned bytes, i.e. memcmp), never
  // locale collation (locking.md §6.4, C25); duplicates dropped.
  std::sort(models.begin(), models.end(),
            [](const ModelRef& a, const ModelRef& b) { return ModelKey(a) < ModelKey(b); });
  models.erase(
      std::unique(models.begin(), models.end(),
                  [](const ModelRef& a, const ModelRef& b) { return ModelKey(a) == ModelKey(b); }),
      models.end());
  Sequence seq = Begin(request);
  FEN_RETURN_IF_ERROR(CreateDirs(env_, layout.models_dir(), nullptr));

  // Nested fen processes (locking.md §6.6): fail fast instead of deadlocking.
  Nesting nesting = ReadNesting(layout, request);
  bool skip_gate = false;
  for (const ContextEntry& e : nesting.trusted) {
    if (e.global == "exclusive") {
      return Status(ErrorCode::kLockNestedStructural,
                    "Cannot run a writer inside \"" + e.command + "\" (pid " +
                        std::to_string(e.pid) +
                        "), which holds the datastore lock exclusively; run it outside that "
                        "command.");
    }
    for (const ModelRef& m : models) {
      if (std::find(e.models.begin(), e.models.end(), ModelKey(m)) != e.models.end()) {
        return Status(ErrorCode::kLockNestedSameModel,
                      "Cannot lock model " + ModelKey(m) + ": it is held by the parent command \"" +
                          e.command + "\" (pid " + std::to_string(e.pid) + ").");
      }
    }
    // An ancestor holds global shared: take global directly, never the gate (a structural
    // command queued at the gate waits for that ancestor, which waits for us).
    skip_gate = true;
  }
  nesting.own.global = "shared";
  for (const ModelRef& m : models) nesting.own.models.push_back(ModelKey(m));
  auto set = std::make_unique<FsLockSet>(env_, AppendLockContext(nesting.inherited, nesting.own));
  set->writer_ = true;

  // (1) gate shared, (2) global shared, (3) release gate.
  auto global_notice = [&] {
    std::string who = DescribeStructuralHolder(env_, layout);
    Notice(seq, "Global lock held by " + who + " — waiting for structural command to finish...");
  };
  auto global_timeout = [&](int64_t waited) {
    return TimeoutError(layout.swamp_global_path(), StructuralHolder(env_, layout), waited);
  };
  bool waited_global = false;
  {
    OfdLock gate;
    if (!skip_gate) {
      FEN_ASSIGN_OR_RETURN(gate, OfdLock::Open(layout.gate_path()));
      FEN_RETURN_IF_ERROR(
          Wait(seq, gate, LockMode::kShared, global_notice, global_timeout, &waited_global));
    }
    FEN_ASSIGN_OR_RETURN(OfdLock global, OfdLock::Open(layout.global_path()));
    bool waited = false;
    FEN_RETURN_IF_ERROR(
        Wait(seq, global, LockMode::kShared, global_notice, global_timeout, &waited));
    waited_global = waited_global || waited;
    // The gate is released when `gate` goes out of scope (close drops the OFD lock).
    set->held_.push_back(HeldLock{"global", std::move(global), {}});
  }
  FEN_ASSIGN_OR_RETURN(set->held_.back().info,
                       WriteInfo(layout, "global", LockMode::kShared, request, nullptr));
  if (waited_global) Notice(seq, "Global lock released, proceeding with per-model locks");

  // (4) each model exclusive, in byte order.
  for (const ModelRef& m : models) {
    std::string lockname = LockLayout::ModelLockName(m);
    FEN_ASSIGN_OR_RETURN(OfdLock lock, OfdLock::Open(layout.model_path(m)));
    std::string key = layout.swamp_model_path(m);
    auto notice = [&] {
      WaitWarning(seq, ModelWaitLine(key, ModelHolder(env_, layout, lockname)));
    };
    auto timeout = [&](int64_t waited) {
      return TimeoutError(key, ModelHolder(env_, layout, lockname), waited);
    };
    FEN_RETURN_IF_ERROR(Wait(seq, lock, LockMode::kExclusive, notice, timeout, nullptr));
    set->held_.push_back(HeldLock{lockname, std::move(lock), {}});
    FEN_ASSIGN_OR_RETURN(set->held_.back().info,
                         WriteInfo(layout, lockname, LockMode::kExclusive, request, &m));
  }

  // (5) swamp-format files for mixed fleets (locking.md §6.10.5).
  if (options_.swamp_compat) {
    set->legacy_ = NewLegacyHold();
    FEN_RETURN_IF_ERROR(
        RunSwampWriterSteps(MakeSwampSteps(layout, seq), models, set->legacy_.get()));
    if (request.keeps_alive) {
      set->legacy_->StartAfter(kDeferredHeartbeatMs);
    } else {
      set->legacy_->Start();
    }
  }
  return std::unique_ptr<LockSet>(std::move(set));
}

Result<std::unique_ptr<LockSet>> FilesystemLockManager::AcquireStructural(
    const LockRequest& request) {
  FEN_ASSIGN_OR_RETURN(LockLayout layout, Layout());
  FEN_RETURN_IF_ERROR(CheckFilesystem(layout, request));
  Sequence seq = Begin(request);
  FEN_RETURN_IF_ERROR(CreateDirs(env_, layout.scope_dir(), nullptr));
  Nesting nesting = ReadNesting(layout, request);
  if (!nesting.trusted.empty()) {
    const ContextEntry& e = nesting.trusted.front();
    return Status(ErrorCode::kLockNestedStructural,
                  "Cannot run a structural command inside \"" + e.command + "\" (pid " +
                      std::to_string(e.pid) + "), which holds the datastore lock " +
                      (e.global == "exclusive" ? "exclusively" : "for writing") +
                      "; run it outside that command.");
  }
  nesting.own.global = "exclusive";
  auto set = std::make_unique<FsLockSet>(env_, AppendLockContext(nesting.inherited, nesting.own));

  // (1) gate exclusive (with an info file so queued writers can name us).
  FEN_ASSIGN_OR_RETURN(OfdLock gate, OfdLock::Open(layout.gate_path()));
  auto gate_notice = [&] {
    WaitWarning(seq, ModelWaitLine(layout.swamp_global_path(), StructuralHolder(env_, layout)));
  };
  auto gate_timeout = [&](int64_t waited) {
    return TimeoutError(layout.swamp_global_path(), StructuralHolder(env_, layout), waited);
  };
  FEN_RETURN_IF_ERROR(Wait(seq, gate, LockMode::kExclusive, gate_notice, gate_timeout, nullptr));
  FEN_ASSIGN_OR_RETURN(InfoFile gate_info,
                       WriteInfo(layout, "gate", LockMode::kExclusive, request, nullptr));

  // (2) global exclusive: in-flight writers finish, new ones queue at the gate.
  FEN_ASSIGN_OR_RETURN(OfdLock global, OfdLock::Open(layout.global_path()));
  int writers_waited_for = 0;
  auto global_notice = [&] {
    WriterCount count = CountLiveWriters(env_, layout);
    if (count.writers > 0) {
      writers_waited_for = count.writers;
      Notice(seq, "Waiting for " + std::to_string(count.writers) +
                      " per-model lock(s) to be released...");
    } else {
      WaitWarning(seq, ModelWaitLine(layout.swamp_global_path(), StructuralHolder(env_, layout)));
    }
  };
  auto global_timeout = [&](int64_t waited) {
    return TimeoutError(layout.swamp_global_path(), GlobalHolder(env_, layout), waited);
  };
  Status s = Wait(seq, global, LockMode::kExclusive, global_notice, global_timeout, nullptr);
  if (!s.ok()) {
    RemoveInfoFile(env_, &gate_info);
    return s;
  }
  set->held_.push_back(HeldLock{"global", std::move(global), {}});
  auto info = WriteInfo(layout, "global", LockMode::kExclusive, request, nullptr);
  // (3) release the gate (info file first).
  RemoveInfoFile(env_, &gate_info);
  gate.Close();
  if (!info.ok()) return info.status();
  set->held_.back().info = std::move(info).value();
  if (writers_waited_for > 0) Notice(seq, "Per-model locks released");

  // (4) swamp global file and swamp drain (locking.md §6.10.5).
  if (options_.swamp_compat) {
    set->legacy_ = NewLegacyHold();
    FEN_RETURN_IF_ERROR(RunSwampStructuralSteps(MakeSwampSteps(layout, seq), set->legacy_.get()));
  }
  return std::unique_ptr<LockSet>(std::move(set));
}

}  // namespace

std::unique_ptr<LockManager> NewFilesystemLockManager(Env* env, const RepoContext& repo,
                                                      FilesystemLockOptions options) {
  return std::make_unique<FilesystemLockManager>(env, repo, std::move(options));
}

}  // namespace fen::locking
