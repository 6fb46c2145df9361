// Fuzz target: swamp-format lock files (`.datastore.lock`, per-model `.lock`; locking.md §2.2),
// which any swamp process (or anyone with write access) writes. Invariants: ParseSwampLockInfo
// never crashes or throws; accepted info has pid > 0 and ttlMs > 0; fen's own serialisation
// of an accepted holder parses back with the same holder, hostname, pid, acquiredAt and nonce.
#include <cstdint>
#include <string>

#include "locking/swamp_lock_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto info = fen::locking::ParseSwampLockInfo(text);
  if (!info) return 0;
  if (info->pid <= 0 || info->ttl_ms <= 0) __builtin_trap();
  const std::string written = fen::locking::SwampLockInfoText(
      info->holder, info->hostname, info->pid, info->acquired_at, info->nonce);
  auto back = fen::locking::ParseSwampLockInfo(written);
  if (!back) __builtin_trap();
  if (back->holder != info->holder || back->hostname != info->hostname || back->pid != info->pid ||
      back->acquired_at != info->acquired_at || back->nonce != info->nonce) {
    __builtin_trap();
  }
  return 0;
}
