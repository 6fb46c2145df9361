// swamp-format sequences. See src/locking/swamp_protocol.h, locking.md §6.10.5 and
// docs/design/locking.md §7.
#include "locking/swamp_protocol.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "fen/base/clock.h"
#include "fen/base/uuid.h"
#include "locking/lock_messages.h"
#include "locking/ofd_lock.h"

namespace fen::locking {
namespace {

// Poll interval for swamp-format waits: start 50 ms, double, cap 250 ms, +-25 % jitter (the
// spec's polling cap, locking.md §6.5). The cap bounds how long after a swamp holder's release
// fen notices it: <= 312 ms, inside §7.3 #40's 500 ms (docs/design/locking.md §7;
// LockMixedFleetE2eTest.FenRunsWithin500msOfSwampsRelease measured up to 563 ms with a 500 ms cap).
class Backoff {
 public:
  // Sleeps one interval, cut at the deadline. Returns false if the deadline has passed.
  bool Sleep(int64_t deadline_ms) {
    int64_t now = MonotonicNowMs();
    if (now >= deadline_ms) return false;
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    // Seeded at the first wait: std::random_device probes the CPU (cpuid, ~8 us each on a
    // paravirtualised guest), and most acquisitions never wait.
    if (!rng_) rng_.emplace(std::random_device{}());
    int64_t ms = static_cast<int64_t>(static_cast<double>(next_) * jitter(*rng_));
    ms = std::min(ms, deadline_ms - now);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    next_ = std::min<int64_t>(next_ * 2, kCapMs);
    return true;
  }

 private:
  static constexpr int64_t kCapMs = 250;
  int64_t next_ = 50;
  std::optional<std::mt19937> rng_;
};

std::optional<HolderView> ViewOf(const ClassifiedFile& c) {
  if (!c.info) return std::nullopt;
  return HolderView{c.info->holder, c.info->pid, c.info->acquired_at};
}

bool Reapable(SwampFileState s) {
  return s == SwampFileState::kStale || s == SwampFileState::kAbandoned;
}

Status Timeout(const SwampSteps& s, const std::string& path, const ClassifiedFile& c) {
  Status t = TimeoutError(path, ViewOf(c), MonotonicNowMs() - s.start_ms);
  if (c.state == SwampFileState::kUnreadable) {
    return Status(ErrorCode::kLockTimeout, t.message() + " (" + c.error + ")");
  }
  return t;
}

// Waits until the swamp global file is absent, reaping a stale or abandoned one.
Status WaitGlobalAbsent(const SwampSteps& s, bool* noticed) {
  Backoff backoff;
  int64_t notice_at = MonotonicNowMs() + 1000;
  const std::string path = s.layout->swamp_global_path();
  for (;;) {
    FEN_ASSIGN_OR_RETURN(ClassifiedFile c, ClassifySwampFile(s.env, path, s.classify));
    if (c.state == SwampFileState::kAbsent) return Status::Ok();
    if (Reapable(c.state)) {
      auto r = ReapSwampFile(s.env, path, c.dev, c.ino);
      if (r.ok()) continue;  // re-classify (reaped, gone, or replaced)
    } else if (!*noticed && s.notice && MonotonicNowMs() >= notice_at) {
      *noticed = true;
      s.notice("Global lock held by " + (c.info ? c.info->holder : std::string("unknown")) +
               " — waiting for structural command to finish...");
    }
    if (!backoff.Sleep(s.deadline_ms)) return Timeout(s, path, c);
  }
}

// Creates our swamp file at `path`, waiting for / reaping an existing one.
Status CreateOwnFile(const SwampSteps& s, const std::string& path, LegacyHold* hold) {
  Backoff backoff;
  bool noticed = false;
  int64_t notice_at = MonotonicNowMs() + 1000;
  for (;;) {
    std::string nonce = NewUuidV4();
    std::string content =
        SwampLockInfoText(s.me.holder, s.me.hostname, s.me.pid, NowIsoMillis(), nonce);
    FEN_ASSIGN_OR_RETURN(bool created, CreateSwampFile(s.env, path, content));
    if (created) {
      hold->Add(path, nonce);
      return Status::Ok();
    }
    FEN_ASSIGN_OR_RETURN(ClassifiedFile c, ClassifySwampFile(s.env, path, s.classify));
    if (c.state == SwampFileState::kAbsent) continue;
    if (Reapable(c.state)) {
      auto r = ReapSwampFile(s.env, path, c.dev, c.ino);
      if (r.ok()) continue;
    } else if (!noticed && s.wait_warning && MonotonicNowMs() >= notice_at) {
      noticed = true;
      s.wait_warning(ModelWaitLine(path, ViewOf(c)));
    }
    if (!backoff.Sleep(s.deadline_ms)) return Timeout(s, path, c);
  }
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status Walk(Env* env, const std::string& dir, int depth, std::vector<std::string>* out) {
  FEN_ASSIGN_OR_RETURN(auto entries, env->ListDir(dir));
  bool has_latest = std::any_of(entries.begin(), entries.end(),
                                [](const DirEntry& e) { return e.name == "latest"; });
  for (const DirEntry& e : entries) {
    std::string path = dir + "/" + e.name;
    if (e.type == FileType::kDirectory) {
      if (has_latest && AllDigits(e.name)) continue;  // version directories hold no locks
      FEN_RETURN_IF_ERROR(Walk(env, path, depth + 1, out));
    } else if (e.type == FileType::kRegular && e.name == ".lock" && depth >= 2) {
      out->push_back(path);  // data/{type...}/{id}/.lock: >= 2 parts before ".lock"
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ScanSwampModelLocks(Env* env, const std::string& data_root) {
  std::vector<std::string> out;
  auto root = env->Lstat(data_root);
  if (!root.ok()) {
    if (root.status().IsNotFound()) return out;
    return root.status();
  }
  if (root->type != FileType::kDirectory) return out;
  FEN_RETURN_IF_ERROR(Walk(env, data_root, 0, &out));
  return out;
}

Status RunSwampWriterSteps(const SwampSteps& s, const std::vector<ModelRef>& models,
                           LegacyHold* hold) {
  bool noticed_global = false;
  // (1) a live swamp structural command makes us wait; stale/abandoned files are reaped.
  FEN_RETURN_IF_ERROR(WaitGlobalAbsent(s, &noticed_global));
  size_t base = hold->size();
  for (;;) {
    // (2) our per-model files, in byte order.
    for (const ModelRef& m : models) {
      FEN_RETURN_IF_ERROR(CreateOwnFile(s, s.layout->swamp_model_path(m), hold));
    }
    // (3) the Dekker re-check of swamp's protocol (§4.3).
    FEN_ASSIGN_OR_RETURN(ClassifiedFile g,
                         ClassifySwampFile(s.env, s.layout->swamp_global_path(), s.classify));
    if (g.state == SwampFileState::kAbsent) break;
    if (Reapable(g.state)) {
      if (ReapSwampFile(s.env, s.layout->swamp_global_path(), g.dev, g.ino).ok()) break;
    }
    hold->DropFrom(base);
    if (s.notice) {
      s.notice("Global lock acquired by " + (g.info ? g.info->holder : std::string("unknown")) +
               " during per-model lock acquisition — releasing and retrying");
    }
    FEN_RETURN_IF_ERROR(WaitGlobalAbsent(s, &noticed_global));
  }
  if (noticed_global && s.notice) s.notice("Global lock released, proceeding with per-model locks");
  return Status::Ok();
}

Status RunSwampStructuralSteps(const SwampSteps& s, LegacyHold* hold) {
  // (1) the swamp global file; fen holds `global` exclusive, so no fen process owns it.
  FEN_RETURN_IF_ERROR(CreateOwnFile(s, s.layout->swamp_global_path(), hold));
  // (2) the swamp drain over this scope's data root only.
  bool noticed = false;
  int64_t notice_at = MonotonicNowMs() + 1000;
  for (;;) {
    auto scan = ScanSwampModelLocks(s.env, s.layout->data_root());
    int live = 0;
    ClassifiedFile last;
    std::string last_path;
    if (!scan.ok()) {
      live = 1;  // a walk error: rescan, never a partial count (C12b)
    } else {
      for (const std::string& path : *scan) {
        auto c = ClassifySwampFile(s.env, path, s.classify);
        if (!c.ok()) {
          ++live;
          continue;
        }
        if (c->state == SwampFileState::kAbsent) continue;
        if (c->info && s.holder_pid_env && c->info->pid == *s.holder_pid_env &&
            c->info->hostname == s.classify.local_hostname) {
          continue;  // our swamp parent's own lock (§6.10.7)
        }
        if (Reapable(c->state)) {
          if (ReapSwampFile(s.env, path, c->dev, c->ino).ok()) continue;
        }
        ++live;
        last = *c;
        last_path = path;
      }
    }
    if (live == 0) break;
    if (!noticed && s.notice && MonotonicNowMs() >= notice_at) {
      noticed = true;
      s.notice("Waiting for " + std::to_string(live) + " per-model lock(s) to be released...");
    }
    int64_t now = MonotonicNowMs();
    if (now >= s.deadline_ms) {
      return last_path.empty()
                 ? TimeoutError(s.layout->swamp_global_path(), std::nullopt, now - s.start_ms)
                 : Timeout(s, last_path, last);
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::min<int64_t>(500, s.deadline_ms - now)));
  }
  if (noticed && s.notice) s.notice("Per-model locks released");
  hold->Start();
  return Status::Ok();
}

}  // namespace fen::locking
