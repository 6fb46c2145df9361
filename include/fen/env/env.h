// Env: the small filesystem interface every fen component uses for I/O (LevelDB's Env idea).
//
// Contract:
// - All paths are absolute or relative to the process cwd; nothing here follows policy
//   (durability protocols, path-safety checks) -- that lives in the callers.
// - Every failure is a Status with ErrorCode::kIoError and the errno preserved
//   (Status::sys_errno(), Status::IsNotFound()).
// - Implementations must be safe to call from any thread. Env::Default() returns the
//   process-wide POSIX implementation; tests substitute a FaultInjectionEnv that wraps it to
//   fail or "crash" at chosen operations.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fen/base/status.h"

namespace fen {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  uint64_t size = 0;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;
  uint64_t nlink = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;  // from d_type, lstat when the filesystem does not say
};

// A file open for writing. Not thread-safe; owned by one caller.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;   // fsync
  virtual Status Close() = 0;  // idempotent
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX implementation. Never null, never destroyed.
  static Env* Default();

  // Creates `path` with O_CREAT|O_EXCL|O_WRONLY|O_CLOEXEC (mode 0666 & ~umask).
  virtual Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path) = 0;
  // Opens an existing (or new) file with O_APPEND.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;

  // Never blocks on a FIFO (PosixEnv opens O_NONBLOCK: one without a writer reads as empty).
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Status SyncDir(const std::string& path) = 0;  // open O_DIRECTORY + fsync
  // One durability round (SyncGroup; docs/design/storage.md §6): fsyncs every file and every
  // directory, in no particular order among themselves, so an implementation may issue them
  // concurrently. Every item is attempted even after one fails; returns the first failure in
  // argument order (files, then directories). Files are borrowed and stay open. The default
  // issues WritableFile::Sync and SyncDir from up to kSyncBatchThreads threads (this one
  // included), so wrappers such as FaultInjectionEnv see every call; PosixEnv submits its own
  // files' fsyncs to the kernel at once (io_uring, src/env/uring_fsync.h) and takes the default
  // where io_uring is unavailable.
  virtual Status SyncBatch(const std::vector<WritableFile*>& files,
                           const std::vector<std::string>& dirs);
  static constexpr int kSyncBatchThreads = 8;

  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // renameat2(RENAME_NOREPLACE); fails with EEXIST if `to` exists (even an empty dir).
  // Falls back to check-then-rename where the filesystem returns EINVAL.
  virtual Status RenameNoReplace(const std::string& from, const std::string& to) = 0;
  virtual Status Link(const std::string& from, const std::string& to) = 0;
  virtual Status Unlink(const std::string& path) = 0;
  virtual Status CreateDir(const std::string& path) = 0;  // mkdir, mode 0777 & ~umask
  virtual Status RemoveDir(const std::string& path) = 0;  // rmdir (empty only)
  // Recursive removal that never follows symlinks. Missing path is OK.
  virtual Status RemoveTree(const std::string& path) = 0;

  virtual Result<std::vector<DirEntry>> ListDir(const std::string& path) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;   // follows symlinks
  virtual Result<FileInfo> Lstat(const std::string& path) = 0;  // does not
  virtual Result<std::string> ReadLink(const std::string& path) = 0;
  virtual Result<std::string> RealPath(const std::string& path) = 0;
  virtual bool Access(const std::string& path, int mode) = 0;  // access(2)
};

// mkdir -p: creates missing ancestors of `path` and `path` itself. When `created` is
// non-null it receives the directories actually created, outermost first (callers fsync
// their parents for durability, shared/spec/storage.md §5.2).
Status CreateDirs(Env* env, const std::string& path, std::vector<std::string>* created);

}  // namespace fen
