// DefinitionIndex: what each definition file held when fen last parsed it (its name, id and
// type, or why it is broken), stamped with the file's identity and times, so that a lookup by
// name or id parses only the file it returns instead of every file under models/
// (docs/design/models.md §11). A run used to parse every definition of the repo: ~50 µs each
// on the shared VM, 5 ms per run with 100 models.
//
// Contract:
// - The index lives at `{repo}/.swamp/.fen/definition-index` and is a cache, never trusted over
//   the files: an entry answers only when the file's current stamp (device, inode, size,
//   mtime, ctime; `stat`, so a symlink's target) equals the recorded one AND the file had not
//   changed within `racy_window_ns` before the entry was recorded (a change in the same
//   timestamp tick as the recording could otherwise go unseen). The stamp is taken before
//   the file is read, so a change racing with the read is seen next time.
// - An unreadable, torn or foreign-format index is ignored and replaced. It is written by
//   temp + rename without fsync: losing it costs one full parse.
// - One thread at a time per instance; any number of processes may share the file (the last
//   writer wins; every entry validates itself).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::models {

// What one definition file held.
struct DefinitionSummary {
  bool ok = false;
  std::string name, id, type;  // ok: the parsed definition's
  std::string error;           // !ok: the parse error message (the broken-file warning's reason)
};

class DefinitionIndex {
 public:
  static constexpr int64_t kDefaultRacyWindowNs = 2'000'000'000;  // catalog.md §3, storage.md §7.7

  DefinitionIndex(Env* env, std::string path, int64_t racy_window_ns = kDefaultRacyWindowNs);

  // Reads the index file; anything unusable leaves the index empty.
  void Load();
  // The summary of `file` if `stamp` (taken now) proves it unchanged since it was recorded.
  // Marks the entry as still in use.
  const DefinitionSummary* Lookup(const std::string& file, const FileInfo& stamp);
  // Records what `file` held; `stamp` was taken before it was read.
  void Record(const std::string& file, const FileInfo& stamp, DefinitionSummary summary);
  // Writes the index when an entry was recorded or one went unused (its file is gone).
  // Failures are ignored: the next lookup parses again.
  void SaveIfChanged();

 private:
  struct Entry {
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0, ctime_ns = 0, recorded_ns = 0;
    DefinitionSummary summary;
    bool used = false;
  };

  Env* env_;
  std::string path_;
  int64_t racy_window_ns_;
  std::map<std::string, Entry> entries_;
  bool changed_ = false;
};

}  // namespace fen::models
