// LegacyHold: the swamp-format lock files one fen LockSet created (shared/spec/locking.md
// §6.10.1, §6.10.6), their heartbeat and loss detection.
//
// Contract:
// - Add() files right after creating them; Start() launches the heartbeat thread (StartAfter()
//   defers it until the owner's KeepAlive() finds the hold old enough), which every 10 s rewrites
//   each file atomically (temp + rename) if it still carries our nonce, and otherwise records the
//   loss. A rewrite that fails (e.g. ENOSPC) leaves the previous, complete file in place; when
//   renewals have failed for two periods in a row the file would be stale to swamp before the next
//   one, so that is recorded as a loss too (docs/design/locking.md §7, locking.md §7.1 #18).
//   Check() (owner thread, before each commit point) re-reads every file and reports kLockLost with
//   locking.md §6.10.6's message. Release() stops the thread and deletes the files whose nonce is
//   still ours; it runs before the kernel locks are released.
// - Owner-thread API; the heartbeat thread only touches state guarded by mu_ (TSan-clean).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::locking {

class LegacyHold {
 public:
  struct Identity {
    std::string holder, hostname;
    int64_t pid = 0;
  };
  LegacyHold(Env* env, Identity identity, int heartbeat_ms = kHeartbeatMs)
      : env_(env), identity_(std::move(identity)), heartbeat_ms_(heartbeat_ms) {}
  ~LegacyHold() { Release(); }
  LegacyHold(const LegacyHold&) = delete;
  LegacyHold& operator=(const LegacyHold&) = delete;

  void Add(std::string path, std::string nonce);
  // Deletes (nonce-checked) and forgets the files added since `keep` (writer retry, §6.10.5).
  void DropFrom(size_t keep);
  size_t size() const { return files_.size(); }
  bool empty() const { return files_.empty(); }
  // Start() = StartAfter(0). StartAfter(d) launches the heartbeat thread once the owner calls
  // KeepAlive() or Check() d ms or more after it, or KeepAlive(true) (docs/design/locking.md
  // §7a): a hold shorter than d never creates the thread. The first renewal is due one period
  // after the files were written, however late the thread starts. A thread that cannot be
  // created (EAGAIN) is tried again at the next KeepAlive() or Check(); meanwhile nothing
  // renews the files, and a takeover is reported by Check() as usual.
  void Start() { StartAfter(0); }
  void StartAfter(int64_t delay_ms);
  void KeepAlive(bool long_step = false);
  Status Check();
  void Release();

  static constexpr int kHeartbeatMs = 10000;

 private:
  struct File {
    std::string path;
    std::string nonce;
  };
  Status CheckOne(const File& f) const;
  void SpawnHeartbeat();
  void Run();

  Env* env_;
  Identity identity_;
  int heartbeat_ms_;
  std::vector<File> files_;  // written by the owner before Start() and after the thread stops
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::string lost_;   // guarded by mu_: the kLockLost message of the first loss the heartbeat saw
  int64_t renewed_ms_ = 0;     // guarded by mu_: monotonic time of the last complete renewal
  int64_t start_due_ms_ = -1;  // owner only: when KeepAlive() starts the thread; -1 = never
  std::thread thread_;
};

}  // namespace fen::locking
