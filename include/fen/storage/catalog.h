// fen's catalog (shared/spec/storage.md §7.7; docs/design/catalog.md): a SQLite cache at
// `{repo}/.swamp/.fen/catalog.db` of each data-name directory's own latest record, validated
// against the tree by directory/file stamps on every use.
//
// CatalogDataStore decorates a filesystem DataStore:
// - ListModels() refreshes the catalog (readdir + stat down to the data-name directories,
//   re-reading only artifacts whose stamps changed) and keeps the validated rows (the
//   "snapshot"); FindAllForModel() for a model of that snapshot builds its answer from them
//   once, with exactly the records and corrupt reports the plain walk would give (R1), and
//   FindOwnLatest() answers from its row. Everything else is delegated to the wrapped store.
// - Any mutation drops the snapshot (later reads go to the tree) and, once the mutation
//   succeeded, invalidates swamp's `_catalog.db` (storage.md §7.8, swamp_catalog.h).
// - The catalog file is disposable (R2, R3): a missing, corrupt, foreign or old-format file is
//   rebuilt silently; if it cannot be used at all, reads fall back to the plain walk.
// One thread at a time per instance. Internally a refresh may use helper threads (stamp checks,
// loading the rows beside the walk) and a large write-back may still run on one after
// ListModels() returns; the instance joins it before it touches the database again, before
// the next refresh or mutation, in last_refresh() and when destroyed. Any number of processes
// may share the catalog file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fen/env/env.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"
#include "fen/storage/swamp_catalog.h"

namespace fen::storage {

struct CatalogOptions {
  std::string catalog_path;  // "" = {repo}/.swamp/.fen/catalog.db
  // A stamp whose mtime/ctime is not older than this (relative to the wall clock when it was
  // taken) is "unverified" and re-read on the next use (racy timestamps, §7.7).
  int64_t racy_window_ns = 2'000'000'000;
  // Called once per failed swamp-catalog invalidation (§7.8 item 7). May be empty.
  std::function<void(const SwampCatalogFailure&)> on_invalidation_failure;
  // A refresh with at least this many data-name directories checks them on two threads.
  size_t parallel_min_name_dirs = 512;
  // A catalog file at least this large is loaded on a second thread beside the walk.
  uint64_t parallel_load_min_bytes = 1 << 20;
  // Tests and benchmarks only: do not invalidate swamp's catalog.
  bool skip_swamp_invalidation = false;
};

// What the last refresh did (tests and benchmarks observe the cache working).
struct CatalogRefreshStats {
  bool used_catalog = false;  // false = fell back to the plain walk
  int64_t name_dirs = 0;      // data-name directories seen
  int64_t reread = 0;         // artifacts re-read from the tree
  int64_t removed = 0;        // rows dropped because their directory vanished
  bool rebuilt = false;       // the catalog file was (re)created
};

class CatalogDataStore : public DataStore {
 public:
  virtual const CatalogRefreshStats& last_refresh() const = 0;
};

// `inner` must be the filesystem store of `repo` (the catalog mirrors its walk).
std::unique_ptr<CatalogDataStore> OpenCatalogDataStore(Env* env, const RepoContext& repo,
                                                       std::unique_ptr<DataStore> inner,
                                                       CatalogOptions options = {});

}  // namespace fen::storage
