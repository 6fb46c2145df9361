// See uring_fsync.h.
#include "env/uring_fsync.h"

#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace fen {
namespace {

constexpr unsigned kRingEntries = 32;

// One ring per thread; `usable` goes false for good after a setup or ring failure.
struct ThreadRing {
  io_uring ring{};
  bool tried = false;
  bool initialized = false;
  bool usable = false;
  ~ThreadRing() {
    if (initialized) io_uring_queue_exit(&ring);
  }
  io_uring* Get() {
    if (!tried) {
      tried = true;
      initialized = io_uring_queue_init(kRingEntries, &ring, 0) == 0;
      usable = initialized;
    }
    return usable ? &ring : nullptr;
  }
};

thread_local ThreadRing t_ring;

int DirectFsync(int fd) { return ::fsync(fd) == 0 ? 0 : errno; }

}  // namespace

std::optional<std::vector<int>> UringFsyncAll(const std::vector<int>& fds) {
  io_uring* ring = t_ring.Get();
  if (ring == nullptr) return std::nullopt;
  std::vector<int> errors(fds.size(), 0);
  std::vector<bool> done(fds.size(), false);
  for (size_t begin = 0; begin < fds.size(); begin += kRingEntries) {
    const size_t end = std::min<size_t>(fds.size(), begin + kRingEntries);
    int submitted = 0;
    if (t_ring.usable) {
      // The submission queue is empty between chunks, so get_sqe cannot run out; should it,
      // the rest goes the direct way.
      size_t queued = 0;
      for (size_t i = begin; i < end; ++i, ++queued) {
        io_uring_sqe* sqe = io_uring_get_sqe(ring);
        if (sqe == nullptr) break;
        io_uring_prep_fsync(sqe, fds[i], 0);
        io_uring_sqe_set_data64(sqe, i);
      }
      do {
        submitted = io_uring_submit(ring);
      } while (submitted == -EINTR);
      if (submitted < static_cast<int>(end - begin)) t_ring.usable = false;
      submitted = std::clamp(submitted, 0, static_cast<int>(queued));
    }
    for (int reaped = 0; reaped < submitted;) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(ring, &cqe);
      if (rc == -EINTR) continue;
      if (rc < 0) {
        t_ring.usable = false;  // what is still in flight is fsynced again below: harmless
        break;
      }
      const size_t i = io_uring_cqe_get_data64(cqe);
      if (i < fds.size()) {
        errors[i] = cqe->res < 0 ? -cqe->res : 0;
        done[i] = true;
      }
      io_uring_cqe_seen(ring, cqe);
      ++reaped;
    }
    for (size_t i = begin; i < end; ++i) {
      if (!done[i]) errors[i] = DirectFsync(fds[i]);
    }
  }
  return errors;
}

}  // namespace fen
