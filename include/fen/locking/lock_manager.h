// LockManager: keeps writers and structural commands of one datastore scope apart.
//
// Contract (shared/spec/locking.md §6, docs/design/locking.md):
// - A writer holds the scope's global lock shared plus each of its models exclusively; a
//   structural command holds the global lock exclusively. Acquisition order is gate, global,
//   then models in byte order; one deadline (SWAMP_LOCK_TIMEOUT_MS, default 60 s, monotonic)
//   covers the whole sequence. A timeout is Status kLockTimeout naming the lock and holder.
// - Locks are released when the returned LockSet is destroyed, or by the kernel when the
//   process dies. No TTL, pid or clock decides ownership.
// - Implementations: the filesystem backend (kernel OFD locks under {D}/.fen/locks/;
//   NewFilesystemLockManager in fen/locking/filesystem_lock_manager.h) now; a
//   database backend with session-bound locks later. Commands only see this interface.
// - A LockManager and its LockSets belong to one thread of one process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fen/base/status.h"

namespace fen::locking {

struct ModelRef {
  std::string type;  // normalized model type
  std::string id;    // model (definition) id
};

struct LockRequest {
  std::string command;      // e.g. "model method run hello execute", recorded in info files
  int64_t timeout_ms = -1;  // -1: SWAMP_LOCK_TIMEOUT_MS or the 60 s default
  // Receives the human progress lines of locking.md §6.5 (written to stderr by the CLI).
  std::function<void(std::string_view)> notice;
  // Receives the "Waiting for lock {path} held by ..." lines, which swamp logs as a warning
  // (suppressed in JSON mode). Unset: they go to `notice` like the other lines.
  std::function<void(std::string_view)> wait_warning = nullptr;
  // The caller promises never to spend long without calling LockSet::KeepAlive(): at least
  // once a second while it waits (a method run: its shell loop, which must not block on
  // anything else), and KeepAlive(/*long_step=*/true) before a step that may take long (a large
  // commit). The heartbeat thread of the swamp-format files then starts only when a hold
  // outlasts kDeferredHeartbeatMs, so a short hold stays single-threaded
  // (docs/design/locking.md §7a). Unset: it starts at acquisition.
  bool keeps_alive = false;
};

// How long a keeps_alive hold runs before its heartbeat thread starts.
inline constexpr int64_t kDeferredHeartbeatMs = 500;

// Held locks. Destroying it releases them (in reverse order).
class LockSet {
 public:
  virtual ~LockSet() = default;
  // OK while every lock is still ours; kLockLost if a swamp-format lock file we created was
  // removed or taken over (locking.md §6.10.6). Called before each commit point.
  virtual Status CheckHeld() = 0;
  // Owner thread, cheap when nothing is due: starts the heartbeat of a keeps_alive hold once
  // it has lasted kDeferredHeartbeatMs, or at once with `long_step` (LockRequest::keeps_alive).
  virtual void KeepAlive(bool long_step = false) { (void)long_step; }
  // Variables a child process must inherit (FEN_LOCK_CONTEXT, SWAMP_LOCK_HOLDER_PID).
  virtual std::vector<std::pair<std::string, std::string>> ChildEnvironment() const = 0;
};

class LockManager {
 public:
  virtual ~LockManager() = default;
  virtual Result<std::unique_ptr<LockSet>> AcquireWriter(std::vector<ModelRef> models,
                                                         const LockRequest& request) = 0;
  virtual Result<std::unique_ptr<LockSet>> AcquireStructural(const LockRequest& request) = 0;
};

}  // namespace fen::locking
