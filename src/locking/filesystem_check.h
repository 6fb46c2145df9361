// Network filesystem detection for lock targets (shared/spec/locking.md §6.12,
// docs/design/locking.md §9): NFS mounts whose POSIX-family locks are local to one client
// (`nolock`, `local_lock=posix|all`) are refused unless FEN_SINGLE_HOST=1; SMB/CIFS, FUSE and
// 9P produce a warning. Pure parsing/evaluation plus statfs; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fen/base/status.h"

namespace fen::locking {

inline constexpr uint64_t kNfsMagic = 0x6969;
inline constexpr uint64_t kSmb2Magic = 0xFE534D42;
inline constexpr uint64_t kCifsMagic = 0xFF534D42;
inline constexpr uint64_t kFuseMagic = 0x65735546;
inline constexpr uint64_t kV9fsMagic = 0x01021997;

struct MountEntry {
  std::string mount_point;  // unescaped (\040 -> ' ')
  std::string fstype;       // e.g. "nfs4"
  std::string source;
  std::string mount_options;  // per-mount options
  std::string super_options;  // per-superblock options (NFS's nolock/local_lock live here)
};

// Parses /proc/self/mountinfo text; malformed lines are skipped.
std::vector<MountEntry> ParseMountInfo(std::string_view text);
// The mount containing `path` (longest mount-point prefix; later entries win ties), or nullptr.
const MountEntry* FindMount(const std::vector<MountEntry>& mounts, const std::string& path);

// The decision for a lock directory on a filesystem of type `f_type` mounted as `mount`
// (may be null): OK, or kLockUnsupportedFilesystem. `warning` receives a warning text for
// filesystems that may not share locks across hosts ("" = none).
Status EvaluateLockFilesystem(uint64_t f_type, const MountEntry* mount, bool single_host,
                              std::string* warning);

// statfs(`path` or its nearest existing ancestor) + /proc/self/mountinfo + Evaluate.
Status CheckLockFilesystem(const std::string& path, bool single_host, std::string* warning);

}  // namespace fen::locking
