// DataStore: the versioned, immutable data artifacts of one datastore scope.
//
// This is the interface every backend implements (the filesystem tree of
// shared/spec/storage.md is the embedded default; a shared-database backend comes later) and
// the only way commands touch data. Contract:
// - Mutating calls (Save, BeginVersion/Commit, Append, Delete, Rename, CollectGarbage, Prune)
//   must be made while the caller holds the locks the lock manager prescribes for that
//   operation (writer: the model's lock; structural: the global lock). The store does not
//   lock by itself.
// - Read calls take no lock and never observe a torn or half-written version: a version is
//   visible complete or not at all (storage.md §5.1).
// - Every acknowledged mutation (OK Status) is durable (files and directories fsynced).
// - Errors are values; messages match storage.md / cli.md exactly where those give the text.
// - An instance may be used from one thread at a time; separate instances (and processes) may
//   work on the same tree concurrently under the locking rules above.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fen/base/status.h"
#include "fen/storage/data_record.h"

namespace fen::storage {

struct SavedVersion {
  std::string id;
  std::string name;
  int64_t version = 0;
  std::string version_dir;  // absolute path of {dataName}/{version}
  int64_t size = 0;
  std::string checksum;
};

// A version being written by a streaming producer (storage.md §5.10): bytes go to a staging
// directory that is invisible to readers until Commit(). Destroying an uncommitted writer
// removes its staging directory (best effort; a crash leaves a leftover that gc/doctor clean).
class VersionWriter {
 public:
  virtual ~VersionWriter() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // Chooses the version number, writes metadata, makes the version visible and durable, and
  // moves `latest`. `record` supplies everything but version/createdAt/size/checksum.
  virtual Result<SavedVersion> Commit() = 0;
};

class DataStore {
 public:
  virtual ~DataStore() = default;

  // Writes a new version with `content`. `record.version`, `created_at`, `size` and
  // `checksum` are set by the store. Validates the name, tags and policies and the ownership
  // rule of storage.md §6.1 before touching the disk.
  virtual Result<SavedVersion> Save(const ArtifactKey& key, const DataRecord& record,
                                    std::string_view content) = 0;
  // The streaming form of Save.
  virtual Result<std::unique_ptr<VersionWriter>> BeginVersion(const ArtifactKey& key,
                                                              const DataRecord& record) = 0;
};

}  // namespace fen::storage
