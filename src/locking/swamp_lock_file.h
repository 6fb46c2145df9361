// swamp-format lock files for mixed fleets (shared/spec/locking.md §6.10, docs/design/locking.md
// §7): creating them atomically, classifying existing ones, identity-checked reaping, and the
// nonce-checked heartbeat and release.
//
// Contract:
// - fen creates/classifies/reaps a swamp-format file only while it holds its own kernel lock
//   for the same scope, so no live fen process owns a file being classified or reaped.
// - Files fen writes are never visible empty or partial (link-create, rename-replace).
// - No read or I/O error ever classifies a file as free (I5): errors are kUnreadable.
// - All I/O goes through Env (fault injection). Functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::locking {

inline constexpr int64_t kSwampTtlMs = 30000;
inline constexpr int64_t kDefaultLegacyStaleMs = 30000;  // FEN_LEGACY_STALE_MS (§6.10.3)

struct SwampLockInfo {
  std::string holder;
  std::string hostname;
  int64_t pid = 0;
  std::string acquired_at;
  int64_t ttl_ms = 0;
  std::string nonce;  // "" if absent
  Json raw;           // the parsed object, as found
};

enum class SwampFileState {
  kAbsent,
  kLive,
  kStale,       // valid, holder dead (local pid) or not renewed for clamp(ttl) by ctime
  kInvalid,     // zero bytes / corrupt / ill-typed, still inside the quarantine period
  kAbandoned,   // invalid for at least the quarantine period (by ctime age)
  kUnreadable,  // open/read failed with something other than ENOENT
};

struct ClassifiedFile {
  SwampFileState state = SwampFileState::kAbsent;
  std::optional<SwampLockInfo> info;  // for kLive / kStale
  uint64_t dev = 0, ino = 0;          // identity as classified (for reaping)
  int64_t age_ms = 0;                 // ctime age (0 if not computed)
  std::string error;                  // for kUnreadable
};

const char* SwampFileStateName(SwampFileState state);

// Parses swamp's LockInfo (§2.2) strictly: string holder, integer pid > 0, parseable
// acquiredAt, ttlMs > 0. nullopt = invalid.
std::optional<SwampLockInfo> ParseSwampLockInfo(std::string_view text);
// swamp's serialisation: 2-space JSON, no trailing newline, fields in swamp's order.
std::string SwampLockInfoText(const std::string& holder, const std::string& hostname, int64_t pid,
                              const std::string& acquired_at, const std::string& nonce);

struct ClassifyOptions {
  std::string local_hostname;
  int64_t quarantine_ms = kDefaultLegacyStaleMs;
};
Result<ClassifiedFile> ClassifySwampFile(Env* env, const std::string& path,
                                         const ClassifyOptions& options);

// Creates `path` with `content` atomically and exclusively: temp file + link (EEXIST -> false).
// Missing parent directories are (re)created, also when they vanish concurrently (§7 #19).
Result<bool> CreateSwampFile(Env* env, const std::string& path, const std::string& content);
// Replaces `path` atomically (temp + rename) if it still carries `nonce`; false if not ours.
Result<bool> RewriteSwampFileIfOurs(Env* env, const std::string& path, const std::string& nonce,
                                    const std::string& content);
// Deletes `path` if it carries `nonce` (read-then-delete window as in swamp's forceRelease).
Result<bool> DeleteSwampFileIfOurs(Env* env, const std::string& path, const std::string& nonce);

enum class ReapOutcome { kReaped, kGone, kChanged };
// Removes the file classified with identity (dev, ino) without ever deleting by path (§6.10.4).
Result<ReapOutcome> ReapSwampFile(Env* env, const std::string& path, uint64_t dev, uint64_t ino);

// Age of `path` by ctime, against a probe file's ctime in the same directory (same clock).
Result<int64_t> CtimeAgeMs(Env* env, const std::string& path, int64_t file_ctime_ns);

}  // namespace fen::locking
