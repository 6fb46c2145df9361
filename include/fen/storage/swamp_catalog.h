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
  SwampCatalogInvalidator(Env* env, RepoContext repo);
  ~SwampCatalogInvalidator();
  SwampCatalogInvalidator(const SwampCatalogInvalidator&) = delete;
  SwampCatalogInvalidator& operator=(const SwampCatalogInvalidator&) = delete;

  // Invalidates once (no marker handling). OK when the catalog does not exist or has another
  // schema version. The connection is kept open for the next call.
  Status Invalidate();
  // Invalidate(); on failure writes the pending marker, fills *failure for the caller to print
  // and returns false. True on success.
  bool InvalidateOrMark(SwampCatalogFailure* failure);

 private:
  struct Connection;
  Env* env_;
  RepoContext repo_;
  std::unique_ptr<Connection> conn_;
};

// If the pending marker exists: invalidate, and remove the marker on success. Returns true when
// a failure was recorded in *failure (the marker stays).
bool RetryPendingSwampCatalogInvalidation(Env* env, const RepoContext& repo,
                                          SwampCatalogFailure* failure);

}  // namespace fen::storage
