// Invalidation of swamp's SQLite catalog `{repo}/.swamp/data/_catalog.db` after fen changes the
// data tree (shared/spec/storage.md §7.8; docs/design/catalog.md §5).
//
// Contract:
// - fen never creates, deletes, truncates or replaces `_catalog.db` or its sidecars. When the
//   file exists, one `BEGIN IMMEDIATE` transaction (busy_timeout 5000 ms) deletes the
//   namespace's `catalog` rows and the `populated` key of `catalog_meta`; a catalog whose
//   `schema_version` is not "4" (or without the `catalog` table) is left untouched.
// - Callers invalidate after the tree change is durable and before releasing their locks.
// - A failure leaves a pending-invalidation marker under `{repo}/.swamp/.fen/`; every later fen
//   command calls RetryPendingSwampCatalogInvalidation first, which clears it on success.
// - One SwampCatalogInvalidator per thread; separate processes may invalidate concurrently
//   (SQLite serialises them).
// - Skipping a no-op (docs/design/catalog.md §5.1): opening SQLite and running the empty
//   transaction was the biggest single cost of a model run after fen's own writes. When an
//   invalidator that left the catalog invalidated is destroyed, it records the stamps (device,
//   inode, size, mtime, ctime) of `_catalog.db` and `_catalog.db-wal` in
//   `{repo}/.swamp/.fen/swamp-catalog-clean`, with the namespace and the time of recording. A
//   later Invalidate() whose stamps are unchanged skips SQLite: any write to the catalog since
//   (swamp's backfill, anyone's) changes a ctime, which cannot be set from user space. Stamps
//   whose ctime is not older than the recording time minus the racy margin (2 s, the
//   timestamp-granularity bound storage.md §7.7 uses) are never trusted, and a stamp is only
//   recorded within half the margin of the transaction that left the catalog clean, so a write
//   that slipped in between is always inside the margin.
#pragma once

#include <memory>
#include <string>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"

namespace fen::storage {

// {repo}/.swamp/data/_catalog.db (storage.md §7.1: always repo-local).
std::string SwampCatalogPath(const RepoContext& repo);
// {repo}/.swamp/.fen/swamp-catalog-invalidation-pending.
std::string PendingInvalidationMarkerPath(const RepoContext& repo);

// A failed invalidation, reported by the CLI as storage.md §7.8 item 7 prescribes.
struct SwampCatalogFailure {
  std::string path;    // the _catalog.db path
  std::string reason;  // one line
};

class SwampCatalogInvalidator {
 public:
  static constexpr int64_t kRacyMarginNs = 2'000'000'000;

  // `racy_margin_ns`: tests shorten it to observe the skip without waiting.
  SwampCatalogInvalidator(Env* env, RepoContext repo, int64_t racy_margin_ns = kRacyMarginNs);
  ~SwampCatalogInvalidator();
  SwampCatalogInvalidator(const SwampCatalogInvalidator&) = delete;
  SwampCatalogInvalidator& operator=(const SwampCatalogInvalidator&) = delete;

  // Invalidates once (no marker handling). OK when the catalog does not exist or has another
  // schema version. The connection is kept open for the next call.
  Status Invalidate();
  // Whether the last Invalidate() skipped SQLite because the clean stamps held (for tests).
  bool skipped_last() const { return skipped_last_; }
  // {repo}/.swamp/.fen/swamp-catalog-clean.
  static std::string CleanStampPath(const RepoContext& repo);
  // Invalidate(); on failure writes the pending marker, fills *failure for the caller to print
  // and returns false. True on success.
  bool InvalidateOrMark(SwampCatalogFailure* failure);

 private:
  struct Connection;
  // The stamp line of the catalog files as they are now ("" when they cannot be stat'ed), and
  // the newest ctime among them.
  std::string CurrentStamps(int64_t* newest_ctime_ns) const;
  bool CleanStampHolds() const;
  void RecordCleanStamp() const;

  Env* env_;
  RepoContext repo_;
  int64_t racy_margin_ns_;
  std::unique_ptr<Connection> conn_;
  bool left_clean_ = false;  // the last Invalidate() left the catalog invalidated via SQLite
  int64_t clean_at_ns_ = 0;  // realtime clock when it did
  bool skipped_last_ = false;
};

// If the pending marker exists: invalidate, and remove the marker on success. Returns true when
// a failure was recorded in *failure (the marker stays).
bool RetryPendingSwampCatalogInvalidation(Env* env, const RepoContext& repo,
                                          SwampCatalogFailure* failure);

}  // namespace fen::storage
