// A small tmpfs mounted in a private mount namespace, for tests that need a real ENOSPC
// (shared/spec/locking.md §7.1 #18) without leaving a mount behind on the host if the test dies.
//
// A helper process unshares its mount namespace, mounts the tmpfs on `mount_point` and waits;
// it dies with the test process (PR_SET_PDEATHSIG) or in the destructor, and the mount vanishes
// with its namespace. Other processes see the mount by calling Enter() (setns: call it only in a
// single-threaded forked child, e.g. before exec); the test process itself reaches it through
// View(path) (/proc/{helper}/root{path}). Single-threaded test use; requires CAP_SYS_ADMIN.
#pragma once

#include <sys/types.h>

#include <string>

namespace fen::fentest {

// Under ThreadSanitizer every process keeps a runtime thread, and setns(CLONE_NEWNS) refuses a
// multi-threaded caller (EINVAL), so Enter() cannot work: tests that need it skip there.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kMountNamespaceEntryUnavailable = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kMountNamespaceEntryUnavailable = true;
#else
inline constexpr bool kMountNamespaceEntryUnavailable = false;
#endif
#else
inline constexpr bool kMountNamespaceEntryUnavailable = false;
#endif

class PrivateTmpfs {
 public:
  // Mounts a tmpfs of `size` (mount option syntax, e.g. "64k") on the existing directory
  // `mount_point`. Check error() afterwards.
  PrivateTmpfs(const std::string& mount_point, const std::string& size);
  ~PrivateTmpfs();
  PrivateTmpfs(const PrivateTmpfs&) = delete;
  PrivateTmpfs& operator=(const PrivateTmpfs&) = delete;

  // "" when mounted, else why not (e.g. "unshare: Operation not permitted").
  const std::string& error() const { return error_; }
  // `path` (an absolute path as seen inside the namespace) as seen from the test process.
  std::string View(const std::string& path) const;
  // Moves the calling (single-threaded) process into the namespace; false on failure.
  bool Enter() const;

 private:
  pid_t helper_ = -1;
  std::string error_;
};

// Appends to `path` until the file system reports ENOSPC; returns the bytes written.
long long FillUntilFull(const std::string& path);

}  // namespace fen::fentest
