// OfdLock: see src/locking/ofd_lock.h. The blocking wait with a deadline is described in
// docs/design/locking.md §3 ("Waiting in the kernel").
#include "locking/ofd_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace fen::locking {
namespace {

// The signal the interrupt timer sends to the waiting thread. A real-time signal well away from
// the ones glibc reserves at SIGRTMIN; its handler does nothing, so delivery only makes the
// blocked fcntl return EINTR.
int WakeSignal() { return SIGRTMIN + 6; }

void NoOpHandler(int /*sig*/) {}

void InstallWakeHandlerOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = NoOpHandler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // deliberately no SA_RESTART: the fcntl must return EINTR
    sigaction(WakeSignal(), &sa, nullptr);
  });
}

Status LockError(const char* what, const std::string& path, int err) {
  return Status(ErrorCode::kLockUnavailable,
                std::string(what) + " " + path + ": " + std::strerror(err), err);
}

struct flock WholeFile(short type) {
  struct flock fl;
  std::memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  fl.l_pid = 0;  // required for F_OFD_* commands
  return fl;
}

short TypeFor(LockMode mode) {
  return mode == LockMode::kShared ? static_cast<short>(F_RDLCK) : static_cast<short>(F_WRLCK);
}

// A POSIX timer that signals the calling thread (SIGEV_THREAD_ID). Armed with an absolute
// monotonic expiry and a short repeat interval: if the signal lands just before the thread
// enters fcntl (a lost wake-up), the repeat interrupts it again 20 ms later.
class ThreadWakeTimer {
 public:
  ThreadWakeTimer() {
    InstallWakeHandlerOnce();
    struct sigevent sev;
    std::memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = WakeSignal();
    sev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer_) == 0)
      ok_ = true;
    else
      err_ = errno;
  }
  ~ThreadWakeTimer() {
    if (ok_) timer_delete(timer_);
  }
  ThreadWakeTimer(const ThreadWakeTimer&) = delete;
  ThreadWakeTimer& operator=(const ThreadWakeTimer&) = delete;

  bool ok() const { return ok_; }
  int error() const { return err_; }

  void ArmAt(int64_t monotonic_ms) {
    struct itimerspec its;
    std::memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = monotonic_ms / 1000;
    its.it_value.tv_nsec = (monotonic_ms % 1000) * 1000000;
    its.it_interval.tv_nsec = 20 * 1000000;
    timer_settime(timer_, TIMER_ABSTIME, &its, nullptr);
  }

 private:
  timer_t timer_{};
  bool ok_ = false;
  int err_ = 0;
};

}  // namespace

int64_t MonotonicNowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

OfdLock::~OfdLock() { Close(); }

OfdLock::OfdLock(OfdLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

OfdLock& OfdLock::operator=(OfdLock&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

Result<OfdLock> OfdLock::Open(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return LockError("cannot open lock file", path, errno);
  return Adopt(fd, path);
}

OfdLock OfdLock::Adopt(int fd, std::string path) {
  OfdLock lock;
  lock.fd_ = fd;
  lock.path_ = std::move(path);
  return lock;
}

Result<bool> OfdLock::TryLock(LockMode mode) {
  struct flock fl = WholeFile(TypeFor(mode));
  for (;;) {
    if (fcntl(fd_, F_OFD_SETLK, &fl) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return false;
    return LockError("cannot lock", path_, errno);
  }
}

Result<bool> OfdLock::LockUntil(LockMode mode, int64_t deadline_ms, int64_t notice_at_ms,
                                const std::function<void()>& on_notice) {
  FEN_ASSIGN_OR_RETURN(bool got, TryLock(mode));
  if (got) return true;
  ThreadWakeTimer timer;
  if (!timer.ok()) return LockError("cannot create lock wait timer for", path_, timer.error());
  bool notice_pending = notice_at_ms >= 0 && on_notice != nullptr;
  struct flock fl = WholeFile(TypeFor(mode));
  for (;;) {
    int64_t now = MonotonicNowMs();
    if (now >= deadline_ms) return false;
    if (notice_pending && now >= notice_at_ms) {
      notice_pending = false;
      on_notice();
      continue;  // the notice may have taken time: re-read the clock
    }
    timer.ArmAt(notice_pending ? std::min(notice_at_ms, deadline_ms) : deadline_ms);
    if (fcntl(fd_, F_OFD_SETLKW, &fl) == 0) return true;
    if (errno == EINTR) continue;
    return LockError("cannot lock", path_, errno);
  }
}

Result<bool> OfdLock::WouldConflict(LockMode mode) const {
  struct flock fl = WholeFile(TypeFor(mode));
  if (fcntl(fd_, F_OFD_GETLK, &fl) != 0) return LockError("cannot test lock", path_, errno);
  return fl.l_type != F_UNLCK;
}

void OfdLock::Unlock() {
  if (fd_ < 0) return;
  struct flock fl = WholeFile(F_UNLCK);
  fcntl(fd_, F_OFD_SETLK, &fl);
}

void OfdLock::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace fen::locking
