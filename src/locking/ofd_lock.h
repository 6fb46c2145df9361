// OfdLock: one open descriptor on a lock target and the Linux open-file-description lock on
// it (shared/spec/locking.md §6.3; docs/design/locking.md §2).
//
// Contract:
// - The lock belongs to this object's descriptor (F_OFD_*, l_pid = 0, whole file): two OfdLock
//   objects exclude each other even inside one process, and closing some other descriptor of
//   the same file never drops it. The kernel drops it when the descriptor is closed, i.e. when
//   the object is destroyed or the process dies.
// - LockUntil blocks in the kernel (F_OFD_SETLKW) and uses a per-thread POSIX timer whose
//   signal (no-op handler, no SA_RESTART) interrupts the wait at the deadline or at the
//   notice time; it never polls.
// - Not thread-safe: one owner thread. Different OfdLock objects may be used from different
//   threads concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fen/base/status.h"

namespace fen::locking {

enum class LockMode { kShared, kExclusive };

class OfdLock {
 public:
  OfdLock() = default;
  ~OfdLock();
  OfdLock(OfdLock&& other) noexcept;
  OfdLock& operator=(OfdLock&& other) noexcept;
  OfdLock(const OfdLock&) = delete;
  OfdLock& operator=(const OfdLock&) = delete;

  // Opens (creating if needed) `path` with O_RDWR|O_CREAT|O_CLOEXEC, mode 0666 & ~umask.
  // Failure is kLockUnavailable naming the path (never "free", locking.md §6.2).
  static Result<OfdLock> Open(const std::string& path);
  // Adopts an already open descriptor (info files' presence locks).
  static OfdLock Adopt(int fd, std::string path);

  // Non-blocking attempt: true = acquired, false = held by someone else.
  Result<bool> TryLock(LockMode mode);
  // Blocks until acquired (true) or `deadline_ms` on the monotonic clock (false). When the
  // wait lasts until `notice_at_ms` (< 0: never), `on_notice` is called once, from this
  // thread, and the wait continues.
  Result<bool> LockUntil(LockMode mode, int64_t deadline_ms, int64_t notice_at_ms,
                         const std::function<void()>& on_notice);
  // True if a lock of `mode` would conflict with a lock held through another open file
  // description (F_OFD_GETLK).
  Result<bool> WouldConflict(LockMode mode) const;
  void Unlock();
  void Close();

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// CLOCK_MONOTONIC in milliseconds (the clock the interrupt timer uses).
int64_t MonotonicNowMs();

}  // namespace fen::locking
