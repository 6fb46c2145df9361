// CancellationSignals: turns SIGINT/SIGTERM/SIGHUP into a pollable cancellation request for
// `model method run` (shared/spec/locking.md §6.8, cli.md §5.7).
//
// Contract: Install() replaces the three handlers for the lifetime of the returned guard (the
// previous dispositions are restored by its destructor). The first signal only records the
// request and wakes fd(); the caller stops the work, records the cancelled state while still
// holding its locks, then releases them. A second SIGINT exits the process immediately with
// status 130 (the kernel releases the locks; staged data is a crash leftover).
// One guard per process at a time; the handler is async-signal-safe.
#pragma once

#include <memory>

namespace fen::models {

class CancellationSignals {
 public:
  static std::unique_ptr<CancellationSignals> Install();
  ~CancellationSignals();
  CancellationSignals(const CancellationSignals&) = delete;
  CancellationSignals& operator=(const CancellationSignals&) = delete;

  // Readable once a signal arrived (never drained; poll it).
  int fd() const;
  bool requested() const;

 private:
  CancellationSignals() = default;
};

// Process-wide view for code that has no guard at hand (false when none is installed).
bool CancellationRequested();
int CancellationFd();  // -1 when none is installed

}  // namespace fen::models
