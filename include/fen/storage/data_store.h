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
#include "fen/env/sync_group.h"
#include "fen/storage/data_record.h"

namespace fen::storage {

struct SavedVersion {
  std::string id;
  std::string name;
  int64_t version = 0;
  std::string version_dir;  // absolute path of {dataName}/{version}
  int64_t size = 0;
  std::string checksum;
  // Non-fatal problems after the version became durable (e.g. write-time pruning failed).
  std::vector<std::string> warnings;
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

// A caller's own files joined to a batch commit (DataStore::CommitTogether), so that they
// share the commit's fsync rounds instead of paying their own (docs/design/storage.md §6).
// The hooks run on the committing thread, once each and in this order, except Numbered,
// which runs again if a version number had to change (a foreign writer took it). An error
// from a hook aborts the commit with that error.
class CommitParticipant {
 public:
  virtual ~CommitParticipant() = default;
  // Round 1 (contents): add files that must be durable when the commit returns.
  virtual void AddToFirstRound(SyncGroup* round) { (void)round; }
  // The version numbers are durable (HWM) and no version is visible yet: write files that
  // name the versions (under temporary names) and add them to `round`, which is synced with
  // the versions' visibility. When called again, the round holding the earlier files has
  // been synced, so the participant may release them.
  virtual Status Numbered(const std::vector<SavedVersion>& versions, SyncGroup* round) {
    (void)versions, (void)round;
    return Status::Ok();
  }
  // Every version is visible and durable: publish (rename) the caller's files and add their
  // directories to `round`, the last one, which also makes the `latest` markers durable.
  virtual Status Visible(SyncGroup* round) {
    (void)round;
    return Status::Ok();
  }
};

// A version or artifact skipped by a listing or walk because its metadata could not be read
// (storage.md §6.5, S-e). The CLI prints one warning per report.
struct CorruptReport {
  std::string path;    // the metadata.yaml (or directory) that failed
  std::string reason;  // one line
};

// A model found by the global walk (storage.md §3.2): normalised type and model id.
struct ModelKey {
  std::string type;
  std::string model_id;
};

struct RenameResult {
  int64_t copied_version = 0;  // the old name's latest version that was copied
  int64_t new_version = 0;     // the version written on the new name
};

class DataStore {
 public:
  virtual ~DataStore() = default;

  // Appends to the `raw` of the latest version in place (storage.md §6.4, §5.10): the latest
  // is found by the marker (no rename following); it must be streaming. `size` is rewritten to
  // the file size and `checksum` dropped; createdAt is kept. Errors:
  // `No existing data found for "{name}"`, `Data "{name}" is not configured for streaming`.
  virtual Status Append(const ArtifactKey& key, std::string_view bytes) = 0;

  // ---- Reads (no lock needed; storage.md §6.5) ----

  // `version` given: that version's record (never follows renames). Otherwise the latest
  // record by the marker algorithm of §3.5, following rename tombstones up to depth 5 (§4.6);
  // the returned record's `name`/`version` say where it was found. nullopt = no such data.
  // A corrupt metadata.yaml that the lookup needs is an error with code corrupt_data.
  virtual Result<std::optional<DataRecord>> FindByName(
      const ArtifactKey& key, std::optional<int64_t> version = std::nullopt) = 0;
  // The latest record of exactly this name (marker algorithm, no rename following).
  virtual Result<std::optional<DataRecord>> FindOwnLatest(const ArtifactKey& key) = 0;
  // The bytes of `raw` of one version; nullopt when the file is missing.
  virtual Result<std::optional<std::string>> GetContent(const ArtifactKey& key,
                                                        int64_t version) = 0;
  // Absolute path of {dataName}/{version}/raw.
  virtual std::string ContentPath(const ArtifactKey& key, int64_t version) const = 0;
  // Complete versions (directories holding metadata.yaml), ascending (S-j).
  virtual Result<std::vector<int64_t>> ListVersions(const ArtifactKey& key) = 0;
  // The readable records of every complete version, ascending; corrupt ones are reported.
  virtual Result<std::vector<DataRecord>> ReadAllVersions(const ArtifactKey& key,
                                                          std::vector<CorruptReport>* reports) = 0;
  // Every data-name directory of a model, in directory-listing order.
  virtual Result<std::vector<std::string>> ListDataNames(const std::string& type,
                                                         const std::string& model_id) = 0;
  // findAllForModel: the latest record per data-name directory, rename-followed and
  // de-duplicated by resolved name (first wins). Corrupt latest records are reported and
  // skipped; they never hide the model's other artifacts (S-e).
  virtual Result<std::vector<DataRecord>> FindAllForModel(const std::string& type,
                                                          const std::string& model_id,
                                                          std::vector<CorruptReport>* reports) = 0;
  // The global walk of storage.md §3.2: every model directory under the data root.
  // Types that fail normalisation are reported and skipped.
  virtual Result<std::vector<ModelKey>> ListModels(std::vector<CorruptReport>* reports) = 0;

  // ---- Removal and rename (writers; storage.md §5.5, §5.6, §6.9) ----

  // Removes the given complete versions (§5.5); removing every complete version removes the
  // artifact (§5.6). Non-fatal cleanup failures are appended to `warnings`.
  virtual Status DeleteVersions(const ArtifactKey& key, const std::vector<int64_t>& versions,
                                std::vector<std::string>* warnings) = 0;
  // Removes the whole artifact atomically (§5.6). The HWM survives.
  virtual Status DeleteArtifact(const ArtifactKey& key, std::vector<std::string>* warnings) = 0;
  // fen's rename rules (§6.9): no forward-pointer following, rename back works.
  virtual Result<RenameResult> Rename(const ArtifactKey& old_key, const std::string& new_name) = 0;
  // §5.8 cleanup (gc, doctor --repair; structural lock held): removes `.fen-stage-*` and
  // `.fen-trash-*` directories and `.*.tmp` files in data-name and version directories, and
  // empties the fen trash. Failures are appended to `warnings`; returns entries removed.
  virtual Result<int64_t> CleanupLeftovers(std::vector<std::string>* warnings) = 0;

  // Writes a new version with `content`. `record.version`, `created_at`, `size` and
  // `checksum` are set by the store. Validates the name, tags and policies and the ownership
  // rule of storage.md §6.1 before touching the disk.
  virtual Result<SavedVersion> Save(const ArtifactKey& key, const DataRecord& record,
                                    std::string_view content) = 0;
  // The streaming form of Save.
  virtual Result<std::unique_ptr<VersionWriter>> BeginVersion(const ArtifactKey& key,
                                                              const DataRecord& record) = 0;
  // Commits several streamed versions together, as one Commit() each would, in the same
  // order, but with each protocol step's fsyncs issued together for all of them
  // (docs/design/storage.md §6). The writers must come from this store, be uncommitted and
  // name distinct artifacts; afterwards they are committed (or failed) and may only be
  // destroyed. Results are in the writers' order. `participant` may be null.
  virtual Result<std::vector<SavedVersion>> CommitTogether(
      const std::vector<VersionWriter*>& writers, CommitParticipant* participant) = 0;
};

}  // namespace fen::storage
