// Store-wide operations over the global walk: garbage collection (storage.md §6.10), orphan
// pruning (§6.11) and search (§6.12). They work through the DataStore interface only, so a
// catalog-backed store can later answer the walks.
//
// gc and prune mutate: callers must hold the structural lock (locking.md §6.4) unless
// dry_run. One thread at a time per store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::storage {

struct GcExpiredEntry {
  std::string type;
  std::string model_id;
  std::string data_name;
  std::string reason;  // duration-expired | workflow-deleted | job-deleted
  int64_t version_count = 0;
};

struct GcResult {
  int64_t data_entries_expired = 0;
  int64_t versions_deleted = 0;
  int64_t bytes_reclaimed = 0;
  bool dry_run = false;
  std::vector<GcExpiredEntry> expired;
  std::vector<CorruptReport> reports;
  std::vector<std::string> warnings;
};

// Phase 1 lifetime expiry, phase 2 version gc over every data-name directory (fen rule), and
// (not dry-run) leftover cleanup (§5.8). A dry run reports exactly what a real run at the same
// instant would remove (fen's choice for §8 #10): phase 2 skips artifacts phase 1 expires.
// `now_ms` = wall-clock milliseconds since the epoch (-1 = now).
// `progress` (optional) receives a short status line per model (the CLI shows it on a TTY).
Result<GcResult> CollectGarbage(Env* env, const RepoContext& repo, DataStore* store, bool dry_run,
                                int64_t now_ms = -1,
                                const std::function<void(std::string_view)>& progress = {});

struct PrunedModel {
  std::string type;
  std::string model_id;
  std::string model_name;  // first non-empty tags.modelName, "" if none
  std::vector<std::string> data_names;
  int64_t version_count = 0;
  int64_t bytes_reclaimed = 0;
};

struct PruneResult {
  bool dry_run = false;
  std::vector<PrunedModel> models;
  std::vector<CorruptReport> reports;
  std::vector<std::string> warnings;
};

// A model is live iff a definition with that id exists for that type (or the type is one of
// swamp's always-live internal types, or `workflow`, which fen never prunes: workflows are out
// of scope). Every data-name directory of an orphan is removed (§6.11 fen rule).
Result<PruneResult> PruneOrphans(Env* env, const RepoContext& repo, DataStore* store, bool dry_run);

struct SearchFilters {
  std::string query, type, lifetime, owner_type, workflow, model_name, content_type, output, run;
  std::vector<std::pair<std::string, std::string>> tags;
  std::optional<int64_t> since_ms;
  bool streaming = false;
  int64_t limit = 50;
};

struct SearchHit {
  DataRecord record;
  std::string model_type;
  std::string model_id;
  std::string model_name;  // definition name, else the model id
};

struct SearchResult {
  std::vector<SearchHit> hits;  // newest first, at most `limit`
  int64_t total = 0;            // before the limit
  bool limited = false;         // total > limit (swamp's rule)
  std::vector<CorruptReport> reports;
};

Result<SearchResult> SearchData(Env* env, const RepoContext& repo, DataStore* store,
                                const SearchFilters& filters, int64_t now_ms = -1);

}  // namespace fen::storage
