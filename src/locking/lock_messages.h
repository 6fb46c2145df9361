// The user-visible lock messages of shared/spec/locking.md §2.4 and §6.5, and the holder
// look-ups (from info files, display only) that fill them in. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/locking/lock_layout.h"

namespace fen::locking {

struct HolderView {
  std::string holder;  // "{user}@{host}"
  int64_t pid = 0;
  std::string acquired_at;  // ISO; may be empty
};

// kLockTimeout with swamp's LockTimeoutError message (§2.4), including the solo hint when
// `key` is a solo global key.
Status TimeoutError(const std::string& key, const std::optional<HolderView>& holder,
                    int64_t waited_ms);
// "Waiting for lock {key} held by {holder} (pid {pid}, acquired {age}ms ago)".
std::string ModelWaitLine(const std::string& key, const std::optional<HolderView>& holder);

// Holder of a structural lock (queued at the gate or holding global exclusively).
std::optional<HolderView> StructuralHolder(Env* env, const LockLayout& layout);
// Earliest live holder of `global` in any mode.
std::optional<HolderView> GlobalHolder(Env* env, const LockLayout& layout);
std::optional<HolderView> ModelHolder(Env* env, const LockLayout& layout,
                                      const std::string& lockname);
// StructuralHolder()->holder or "unknown".
std::string DescribeStructuralHolder(Env* env, const LockLayout& layout);

struct WriterCount {
  int writers = 0;  // live shared holders of `global`
};
WriterCount CountLiveWriters(Env* env, const LockLayout& layout);

}  // namespace fen::locking
