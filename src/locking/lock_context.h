// FEN_LOCK_CONTEXT: the locks held by ancestor fen processes (shared/spec/locking.md §6.6,
// docs/design/locking.md §6).
//
// A fen process that holds locks exports a JSON array with one entry per ancestor holder plus
// its own; a child trusts an entry only if it comes from the same boot and pid namespace, names
// a live ancestor of the child (parent chain), and the same datastore (real path) and scope.
// Untrusted or unparseable entries are ignored, so a stale variable inherited by an unrelated
// process never causes failures. Pure functions apart from /proc reads; thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fen/base/json_text.h"

namespace fen::locking {

struct ContextEntry {
  int64_t pid = 0;
  std::string boot_id;
  uint64_t pid_namespace = 0;
  std::string datastore;            // real path of {D}
  std::string scope;                // namespace or "_solo"
  std::string global;               // "shared" | "exclusive"
  std::vector<std::string> models;  // "type/id"
  std::string command;
};

// Entries of a FEN_LOCK_CONTEXT value; malformed entries (or a malformed value) are dropped.
std::vector<ContextEntry> ParseLockContext(std::string_view text);
Json ContextEntryToJson(const ContextEntry& entry);
// The value to export: the inherited array (unparseable = empty) with `own` appended.
std::string AppendLockContext(std::string_view inherited, const ContextEntry& own);

// Pids of this process's ancestors (parent chain from /proc, excluding this process).
std::set<int64_t> AncestorPids();

// Entries that apply to this process for (datastore real path, scope).
std::vector<ContextEntry> TrustedEntries(const std::vector<ContextEntry>& entries,
                                         const std::string& datastore_real,
                                         const std::string& scope);

}  // namespace fen::locking
