// The filesystem LockManager: kernel OFD locks under {D}/.fen/locks/{scope}/
// (shared/spec/locking.md §6; design and invariants: docs/design/locking.md).
//
// Contract:
// - Writers: gate shared -> global shared -> release gate -> each model exclusive in byte order
//   (memcmp of "type/id", duplicates dropped). Structural: gate exclusive -> global exclusive ->
//   release gate. One deadline (SWAMP_LOCK_TIMEOUT_MS with parseInt semantics, default 60 s,
//   monotonic clock) covers the whole sequence; waits block in the kernel.
// - Errors: kLockTimeout (exit 75) with swamp's message shape naming the swamp-format key and
//   the holder; kLockUnavailable when a lock target cannot be opened or locked (never "free");
//   kLockNestedStructural / kLockNestedSameModel for nested fen processes (FEN_LOCK_CONTEXT).
// - The returned manager and its LockSets belong to the calling thread. Several managers (one
//   per thread or process) exclude each other through the kernel.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fen/env/env.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"

namespace fen::locking {

struct FilesystemLockOptions {
  // Environment lookup (SWAMP_LOCK_TIMEOUT_MS, FEN_LOCK_CONTEXT, SWAMP_LOCK_HOLDER_PID,
  // FEN_LEGACY_STALE_MS, FEN_SINGLE_HOST). Unset = std::getenv. Tests inject their own.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Create and honour swamp-format lock files (mixed fleets, locking.md §6.10).
  bool swamp_compat = true;
  // Heartbeat period of the swamp-format files fen holds (swamp renews every 10 s; tests
  // shorten it).
  int heartbeat_ms = 10000;
};

std::unique_ptr<LockManager> NewFilesystemLockManager(Env* env, const RepoContext& repo,
                                                      FilesystemLockOptions options = {});

}  // namespace fen::locking
