// UringFsyncAll: fsyncs a set of open file descriptors with one io_uring submission, so that
// one durability round (SyncGroup, docs/design/storage.md §6) costs no thread creation: the
// kernel runs the fsyncs concurrently on its own workers and the journal folds them into one
// commit. Creating the helper threads this replaces cost ~0.2-0.4 ms each on the 2-core VM while
// the other core was busy, several times a round's whole fsync cost (docs/performance.md,
// "Model runs").
//
// Contract:
// - Returns one errno per descriptor (0 = durable), in the order given; every descriptor is
//   attempted even after one fails. A descriptor the ring could not take (a submission or wait
//   failure) is fsynced directly instead, so a returned vector is always complete.
// - Returns nullopt, having synced nothing, when io_uring cannot be used in this thread: a kernel
//   without it, a seccomp filter, `kernel.io_uring_disabled`. Callers then fall back to threads.
// - Thread-safe: each thread has its own ring, created on its first call and torn down at
//   thread exit. The descriptors must stay open until the call returns.
#pragma once

#include <optional>
#include <vector>

namespace fen {

std::optional<std::vector<int>> UringFsyncAll(const std::vector<int>& fds);

}  // namespace fen
