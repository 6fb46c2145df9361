// FilesystemDataStore: swamp's data tree with fen's write protocol.
// The protocol steps cited here (§5.x) are storage.md's; docs/design/storage.md §1 maps each
// step to the function implementing it.
#include "fen/storage/filesystem_data_store.h"

#include <algorithm>
#include <cerrno>
#include <set>

#include "fen/base/clock.h"
#include "fen/base/json_text.h"
#include "fen/base/sha256.h"
#include "fen/base/uuid.h"
#include "fen/env/durable_file.h"
#include "fen/env/sync_group.h"
#include "fen/storage/data_format.h"
#include "fen/storage/model_dir_walk.h"

namespace fen::storage {
namespace {

constexpr int kMaxAllocationAttempts = 100;  // §5.3 step 7
constexpr int kMaxRenameDepth = 5;           // §4.6

// Paths and validated components of one artifact.
struct ArtifactPaths {
  ArtifactKey key;  // type normalised
  std::string model_dir;
  std::string name_dir;
  std::string hwm_file;
};

// Options of the internal save used by Save, Commit and rename tombstones.
struct WriteOptions {
  bool with_size_checksum = true;  // rename tombstones carry neither (§4.6)
  std::string created_at;          // "" = now
};

std::string OwnerString(const OwnerDefinition& o) { return o.owner_type + ":" + o.owner_ref; }

// A staged version on its way through §5.3 steps 3-9: `raw` is complete in `stage` and, when
// `raw_file` is still open, not yet fsynced (the commit's first round does it).
struct PendingVersion {
  ArtifactPaths paths;
  DataRecord record;
  std::string stage;
  std::unique_ptr<WritableFile> raw_file;
  std::optional<int64_t> size;
  std::optional<std::string> checksum;
  std::string created_at;  // "" = now
  // Filled by the commit.
  int64_t version = 0;
  bool visible = false;
  std::unique_ptr<WritableFile> metadata_file;
  std::unique_ptr<StagedFile> hwm;
  std::unique_ptr<StagedFile> latest;
};

class FilesystemDataStore;

// A version being streamed into its staging directory (§5.10). Owned by one thread.
class FilesystemVersionWriter final : public VersionWriter {
 public:
  FilesystemVersionWriter(FilesystemDataStore* store, ArtifactPaths paths, DataRecord record,
                          std::string stage, std::unique_ptr<WritableFile> raw)
      : store_(store),
        paths_(std::move(paths)),
        record_(std::move(record)),
        stage_(std::move(stage)),
        raw_(std::move(raw)) {}
  ~FilesystemVersionWriter() override;

  Status Append(std::string_view bytes) override {
    if (done_) return Status(ErrorCode::kInternalError, "version writer already committed");
    FEN_RETURN_IF_ERROR(raw_->Append(bytes));
    sha_.Update(bytes);
    size_ += static_cast<int64_t>(bytes.size());
    return Status::Ok();
  }
  Result<SavedVersion> Commit() override;

  // Hands the staged version to a commit; the writer is done afterwards.
  Result<PendingVersion> TakePending(const FilesystemDataStore* store);

 private:
  FilesystemDataStore* store_;
  ArtifactPaths paths_;
  DataRecord record_;
  std::string stage_;
  std::unique_ptr<WritableFile> raw_;
  Sha256 sha_;
  int64_t size_ = 0;
  bool done_ = false;
};

// The DataStore of one data root (contract in data_store.h): every path it touches is built
// from validated components and checked for symlink escapes (§3.9); every mutation follows
// §5 (docs/design/storage.md §1). One thread at a time; concurrent instances and processes
// are safe under the locking rules, and readers never need a lock.
class FilesystemDataStore final : public DataStore {
 public:
  FilesystemDataStore(Env* env, FilesystemLayout layout) : env_(env), layout_(std::move(layout)) {}

  Result<SavedVersion> Save(const ArtifactKey& key, const DataRecord& record,
                            std::string_view content) override {
    return SaveInternal(key, record, content, WriteOptions{});
  }

  Result<std::unique_ptr<VersionWriter>> BeginVersion(const ArtifactKey& key,
                                                      const DataRecord& record) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, /*for_write=*/true));
    FEN_ASSIGN_OR_RETURN(DataRecord rec, PrepareRecord(p, record));
    FEN_ASSIGN_OR_RETURN(std::string stage, CreateStage(p));  // §5.10: §5.3 steps 1-2
    auto file = env_->NewExclusiveFile(stage + "/raw");
    if (!file.ok()) {
      (void)env_->RemoveTree(stage);
      return file.status();
    }
    return std::unique_ptr<VersionWriter>(new FilesystemVersionWriter(
        this, std::move(p), std::move(rec), std::move(stage), std::move(file).value()));
  }

  Result<std::optional<DataRecord>> FindByName(const ArtifactKey& key,
                                               std::optional<int64_t> version) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
    if (version) return ReadRecordAt(p, *version);
    std::string name = p.key.name;
    for (int depth = 0;; ++depth) {
      p.key.name = name;
      p.name_dir = p.model_dir + "/" + name;
      FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> rec, OwnLatest(p));
      if (!rec) return rec;
      if (!(rec->deleted && rec->renamed_to)) return rec;
      // §4.6: a latest lookup whose record is a rename marker re-resolves under renamedTo.
      if (depth >= kMaxRenameDepth) return std::optional<DataRecord>();
      if (!ValidateDataName(*rec->renamed_to).ok()) return std::optional<DataRecord>();
      name = *rec->renamed_to;
    }
  }

  Result<std::optional<DataRecord>> FindOwnLatest(const ArtifactKey& key) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
    return OwnLatest(p);
  }

  Result<std::optional<std::string>> GetContent(const ArtifactKey& key, int64_t version) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
    auto bytes = env_->ReadFile(VersionDir(p, version) + "/raw");
    if (!bytes.ok()) {
      if (bytes.status().IsNotFound()) return std::optional<std::string>();
      return bytes.status();
    }
    return std::optional<std::string>(std::move(bytes).value());
  }

  std::string ContentPath(const ArtifactKey& key, int64_t version) const override {
    auto type = NormalizeModelType(key.type);
    return layout_.data_root + "/" + (type.ok() ? *type : key.type) + "/" + key.model_id + "/" +
           key.name + "/" + std::to_string(version) + "/raw";
  }

  Result<std::vector<int64_t>> ListVersions(const ArtifactKey& key) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
    return CompleteVersions(p);
  }

  Result<std::vector<DataRecord>> ReadAllVersions(const ArtifactKey& key,
                                                  std::vector<CorruptReport>* reports) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
    FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, CompleteVersions(p));
    std::vector<DataRecord> out;
    for (int64_t v : versions) {
      auto rec = ReadRecordAt(p, v);
      if (!rec.ok()) {
        Report(reports, MetadataPath(p, v), rec.status());
        continue;
      }
      if (*rec) out.push_back(std::move(**rec));
    }
    return out;
  }

  Result<std::vector<std::string>> ListDataNames(const std::string& type,
                                                 const std::string& model_id) override {
    FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(ArtifactKey{type, model_id, "x"}, false));
    auto entries = env_->ListDir(p.model_dir);
    if (!entries.ok()) {
      if (entries.status().IsNotFound()) return std::vector<std::string>();
      return entries.status();
    }
    std::vector<std::string> names;
    for (const auto& e : *entries) {
      if (e.type == FileType::kDirectory) names.push_back(e.name);
    }
    return names;
  }

  Result<std::vector<DataRecord>> FindAllForModel(const std::string& type,
                                                  const std::string& model_id,
                                                  std::vector<CorruptReport>* reports) override {
    FEN_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDataNames(type, model_id));
    std::vector<DataRecord> out;
    std::set<std::string> seen;
    for (const auto& name : names) {
      if (!ValidateDataName(name).ok()) continue;
      auto rec = FindByName(ArtifactKey{type, model_id, name}, std::nullopt);
      if (!rec.ok()) {
        Report(reports, layout_.data_root + "/" + type + "/" + model_id + "/" + name, rec.status());
        continue;
      }
      if (!*rec) continue;
      if (!seen.insert((*rec)->name).second) continue;
      out.push_back(std::move(**rec));
    }
    return out;
  }

  Result<std::vector<ModelKey>> ListModels(std::vector<CorruptReport>* reports) override {
    std::vector<ModelKey> out;
    FEN_RETURN_IF_ERROR(ModelDirWalker(env_).Walk(layout_.data_root, &out, reports));  // §3.2
    return out;
  }

  Status DeleteVersions(const ArtifactKey& key, const std::vector<int64_t>& versions,
                        std::vector<std::string>* warnings) override;
  Status DeleteArtifact(const ArtifactKey& key, std::vector<std::string>* warnings) override;
  Result<RenameResult> Rename(const ArtifactKey& old_key, const std::string& new_name) override;
  Result<int64_t> CleanupLeftovers(std::vector<std::string>* warnings) override;
  Status Append(const ArtifactKey& key, std::string_view bytes) override;

  Result<std::vector<SavedVersion>> CommitTogether(const std::vector<VersionWriter*>& writers,
                                                   CommitParticipant* participant) override;

  // ---- used by FilesystemVersionWriter ----
  // §5.3 steps 4-11 for a batch of staged versions (docs/design/storage.md §6).
  Result<std::vector<SavedVersion>> FinishAll(std::vector<PendingVersion>* batch,
                                              CommitParticipant* participant);
  Env* env() const { return env_; }

 private:
  // Validates the key and builds its paths. Write paths also apply the reserved-name rule.
  Result<ArtifactPaths> PathsFor(const ArtifactKey& key, bool for_write) const {
    ArtifactPaths p;
    FEN_ASSIGN_OR_RETURN(p.key.type, NormalizeModelType(key.type));
    if (p.key.type.find('\0') != std::string::npos || p.key.type.find('\\') != std::string::npos) {
      return Status(ErrorCode::kPathTraversal, "Path traversal detected: model type \"" + key.type +
                                                   "\" resolves outside expected directory");
    }
    FEN_RETURN_IF_ERROR(ValidateModelIdSegment(key.model_id));
    FEN_RETURN_IF_ERROR(for_write ? ValidateDataNameForWrite(key.name)
                                  : ValidateDataName(key.name));
    p.key.model_id = key.model_id;
    p.key.name = key.name;
    p.model_dir = layout_.data_root + "/" + p.key.type + "/" + key.model_id;
    p.name_dir = p.model_dir + "/" + key.name;
    p.hwm_file = layout_.fen_dir + "/hwm/" + p.key.type + "/" + key.model_id + "/" + key.name;
    return p;
  }

  static std::string VersionDir(const ArtifactPaths& p, int64_t v) {
    return p.name_dir + "/" + std::to_string(v);
  }
  static std::string MetadataPath(const ArtifactPaths& p, int64_t v) {
    return VersionDir(p, v) + "/metadata.yaml";
  }

  static void Report(std::vector<CorruptReport>* reports, const std::string& path,
                     const Status& s) {
    if (reports == nullptr) return;
    std::string reason = s.message();
    std::string where = path;
    // A corrupt-data message names the failing file: report that file, not the directory.
    if (s.code() == ErrorCode::kCorruptData && reason.rfind("Corrupt data ", 0) == 0) {
      size_t colon = reason.find(": ", 13);
      if (colon != std::string::npos) {
        where = reason.substr(13, colon - 13);
        reason = reason.substr(colon + 2);
      }
      reports->push_back({where, reason});
      return;
    }
    // Corrupt-data messages already name the file; keep only the reason for the report.
    const std::string prefix = "Corrupt data " + path + ": ";
    if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
    reports->push_back({path, reason});
  }

  // §3.9 symlink containment: the real path of `path` (nearest existing ancestor resolved)
  // must be inside the real data root.
  Status AssertSafePath(const std::string& path) const {
    auto resolve = [this](const std::string& target) -> Result<std::string> {
      std::string existing = target, rest;
      while (true) {
        auto st = env_->Lstat(existing);
        if (st.ok()) break;
        if (!st.status().IsNotFound()) return st.status();
        std::string parent = ParentDir(existing);
        if (parent == existing) break;
        rest = existing.substr(parent.size() == 1 ? 1 : parent.size() + 1) +
               (rest.empty() ? "" : "/" + rest);
        existing = parent;
      }
      FEN_ASSIGN_OR_RETURN(std::string real, env_->RealPath(existing));
      if (rest.empty()) return real;
      return real == "/" ? "/" + rest : real + "/" + rest;
    };
    // The boundary is resolved once per store: if the data root were swapped for a symlink
    // later, paths under it would resolve elsewhere and be refused, so caching only makes
    // the check stricter.
    if (boundary_.empty()) {
      FEN_ASSIGN_OR_RETURN(boundary_, resolve(layout_.data_root));
    }
    const std::string& boundary = boundary_;
    FEN_ASSIGN_OR_RETURN(std::string resolved, resolve(path));
    if (resolved == boundary || resolved.rfind(boundary + "/", 0) == 0) return Status::Ok();
    return Status(ErrorCode::kPathTraversal,
                  "Path traversal detected: \"" + path + "\" resolves to \"" + resolved +
                      "\" which is outside boundary \"" + boundary + "\"");
  }

  Result<std::optional<DataRecord>> ReadRecordAt(const ArtifactPaths& p, int64_t v) {
    return ReadMetadataRecord(env_, MetadataPath(p, v));
  }

  // Child directories of the data-name dir, with their lenient and strict version numbers.
  Result<std::vector<DirEntry>> NameDirEntries(const ArtifactPaths& p) {
    auto entries = env_->ListDir(p.name_dir);
    if (!entries.ok()) {
      if (entries.status().IsNotFound()) return std::vector<DirEntry>();
      return entries.status();
    }
    return std::move(entries).value();
  }

  // Highest child directory under the lenient parse, complete or not (§5.3 step 4).
  Result<int64_t> HighestLenient(const ArtifactPaths& p) {
    FEN_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, NameDirEntries(p));
    int64_t max = 0;
    for (const auto& e : entries) {
      if (e.type != FileType::kDirectory || e.name == "latest") continue;
      if (auto v = ParseVersionLenient(e.name)) max = std::max(max, *v);
    }
    return max;
  }

  // Complete versions (strict names with a regular metadata.yaml), ascending (S-j).
  Result<std::vector<int64_t>> CompleteVersions(const ArtifactPaths& p) {
    FEN_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, NameDirEntries(p));
    std::vector<int64_t> out;
    for (const auto& e : entries) {
      if (e.type != FileType::kDirectory) continue;
      auto v = ParseVersionStrict(e.name);
      if (!v) continue;
      auto st = env_->Stat(MetadataPath(p, *v));
      if (st.ok() && st->type == FileType::kRegular) out.push_back(*v);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The `latest` marker only (§3.5 steps 1-2); nullopt when missing or garbled.
  std::optional<int64_t> ReadMarker(const ArtifactPaths& p) {
    const std::string marker = p.name_dir + "/latest";
    auto text = env_->ReadFile(marker);
    if (text.ok()) {
      if (auto v = ParseMarkerText(*text)) return v;
    }
    auto st = env_->Lstat(marker);
    if (st.ok() && st->type == FileType::kSymlink) {
      auto target = env_->ReadLink(marker);
      if (target.ok()) {
        std::string t = *target;
        if (!t.empty() && t.back() == '/') t.pop_back();
        return ParseVersionLenient(t);
      }
    }
    return std::nullopt;
  }

  // §3.5 reading algorithm: marker, legacy symlink, max complete version, none.
  Result<std::optional<int64_t>> ResolveLatest(const ArtifactPaths& p) {
    if (auto v = ReadMarker(p)) return std::optional<int64_t>(*v);
    FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, CompleteVersions(p));
    if (versions.empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(versions.back());
  }

  Result<std::optional<DataRecord>> OwnLatest(const ArtifactPaths& p) {
    FEN_ASSIGN_OR_RETURN(std::optional<int64_t> v, ResolveLatest(p));
    if (!v) return std::optional<DataRecord>();
    return ReadRecordAt(p, *v);  // the marker is trusted: missing metadata = not found
  }

  // Validation of §5.3 (before step 1) and the ownership check of §6.1 step 3.
  Result<DataRecord> PrepareRecord(const ArtifactPaths& p, const DataRecord& record) {
    DataRecord rec = record;
    rec.name = p.key.name;
    FEN_RETURN_IF_ERROR(ValidateRecordForWrite(rec, &rec.lifetime));
    if (rec.id.empty()) rec.id = NewUuidV4();
    FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> existing, FindByName(p.key, std::nullopt));
    if (existing && (existing->owner.owner_type != rec.owner.owner_type ||
                     existing->owner.owner_ref != rec.owner.owner_ref)) {
      return Status(ErrorCode::kOwnershipMismatch,
                    "Ownership validation failed for \"" + rec.name + "\": existing owner \"" +
                        OwnerString(existing->owner) + "\" does not match new owner \"" +
                        OwnerString(rec.owner) + "\"");
    }
    return rec;
  }

  // §5.3 steps 1-2: the data-name directory (durably) and a fresh staging directory.
  Result<std::string> CreateStage(const ArtifactPaths& p) {
    FEN_RETURN_IF_ERROR(AssertSafePath(p.name_dir));
    FEN_RETURN_IF_ERROR(CreateDirsDurably(env_, p.name_dir));
    const std::string stage = p.name_dir + "/.fen-stage-" + NewUuidV4();
    FEN_RETURN_IF_ERROR(AssertSafePath(stage));
    FEN_RETURN_IF_ERROR(env_->CreateDir(stage));
    return stage;
  }

  Result<SavedVersion> SaveInternal(const ArtifactKey& key, const DataRecord& record,
                                    std::string_view content, const WriteOptions& opts) {
    PendingVersion v;
    FEN_ASSIGN_OR_RETURN(v.paths, PathsFor(key, true));
    FEN_ASSIGN_OR_RETURN(v.record, PrepareRecord(v.paths, record));
    FEN_ASSIGN_OR_RETURN(v.stage, CreateStage(v.paths));
    // §5.3 step 3: raw (fsynced in the commit's first round).
    auto file = env_->NewExclusiveFile(v.stage + "/raw");
    Status s = file.status();
    if (s.ok()) s = (*file)->Append(content);
    if (!s.ok()) {
      if (file.ok()) (void)(*file)->Close();
      (void)env_->RemoveTree(v.stage);
      return s;
    }
    v.raw_file = std::move(file).value();
    if (opts.with_size_checksum) {
      v.size = static_cast<int64_t>(content.size());
      v.checksum = Sha256Hex(content);
    }
    v.created_at = opts.created_at;
    std::vector<PendingVersion> batch;
    batch.push_back(std::move(v));
    FEN_ASSIGN_OR_RETURN(std::vector<SavedVersion> saved, FinishAll(&batch, nullptr));
    return std::move(saved.front());
  }

  // §5.9: read the HWM (absent or corrupt = 0).
  int64_t ReadHwm(const ArtifactPaths& p) {
    auto text = env_->ReadFile(p.hwm_file);
    if (!text.ok()) return 0;
    return ParseVersionStrict(*text).value_or(0);
  }
  // §5.9: raise (never lower) the HWM durably.
  Status RaiseHwm(const ArtifactPaths& p, int64_t n) {
    if (ReadHwm(p) >= n) return Status::Ok();
    const std::string dir = ParentDir(p.hwm_file);
    FEN_RETURN_IF_ERROR(CreateDirsDurably(env_, dir));
    return WriteFileDurably(env_, dir, p.key.name, std::to_string(n));
  }
  // §5.4: `latest` replaced by rename, never deleted first.
  Status UpdateLatest(const ArtifactPaths& p, int64_t n) {
    FEN_RETURN_IF_ERROR(AssertSafePath(p.name_dir + "/latest"));
    return WriteFileDurably(env_, p.name_dir, "latest", std::to_string(n));
  }

  // Moves `from` into {fen dir}/trash/{uuid} (§5.5 step 3, §5.6 step 2); returns the trash
  // path, or "" with *exdev set when the rename crosses devices.
  Result<std::string> MoveToTrash(const std::string& from, bool* exdev) {
    *exdev = false;
    FEN_RETURN_IF_ERROR(AssertSafePath(from));
    const std::string trash = layout_.fen_dir + "/trash";
    FEN_RETURN_IF_ERROR(CreateDirsDurably(env_, trash));
    // A planted symlink (fen dir or trash) must not turn the move into a move out of the
    // datastore (docs/security.md).
    for (const std::string& dir : {layout_.fen_dir, trash}) {
      FEN_ASSIGN_OR_RETURN(FileInfo info, env_->Lstat(dir));
      if (info.type != FileType::kDirectory) {
        return Status(ErrorCode::kPathTraversal,
                      "Path traversal detected: \"" + dir + "\" is not a directory (symlink?)");
      }
    }
    const std::string target = trash + "/" + NewUuidV4();
    Status s = env_->Rename(from, target);
    if (!s.ok()) {
      if (s.sys_errno() == EXDEV) {
        *exdev = true;
        return std::string();
      }
      return s;
    }
    return target;
  }

  Env* env_;
  FilesystemLayout layout_;
  mutable std::string boundary_;  // resolved data root (AssertSafePath)
};

FilesystemVersionWriter::~FilesystemVersionWriter() {
  if (!done_) {
    (void)raw_->Close();
    (void)store_->env()->RemoveTree(stage_);  // best effort; gc/doctor remove leftovers
  }
}

Result<PendingVersion> FilesystemVersionWriter::TakePending(const FilesystemDataStore* store) {
  if (done_ || store != store_) {
    return Status(ErrorCode::kInternalError, "version writer already committed or foreign");
  }
  done_ = true;
  PendingVersion v;
  v.paths = std::move(paths_);
  v.record = std::move(record_);
  v.stage = std::move(stage_);
  v.raw_file = std::move(raw_);  // §5.10: finalize = §5.3 step 3 on the streamed raw
  v.size = size_;
  v.checksum = sha_.HexDigest();
  return v;
}

Result<SavedVersion> FilesystemVersionWriter::Commit() {
  FEN_ASSIGN_OR_RETURN(PendingVersion v, TakePending(store_));
  std::vector<PendingVersion> batch;
  batch.push_back(std::move(v));
  FEN_ASSIGN_OR_RETURN(std::vector<SavedVersion> saved, store_->FinishAll(&batch, nullptr));
  return std::move(saved.front());
}

Result<std::vector<SavedVersion>> FilesystemDataStore::CommitTogether(
    const std::vector<VersionWriter*>& writers, CommitParticipant* participant) {
  std::vector<PendingVersion> batch;
  std::set<std::string> names;
  auto refuse = [&](const char* why) -> Result<std::vector<SavedVersion>> {
    for (PendingVersion& v : batch) {
      if (v.raw_file) (void)v.raw_file->Close();
      (void)env_->RemoveTree(v.stage);  // the writers are spent: nothing may be left staged
    }
    return Status(ErrorCode::kInternalError, std::string("CommitTogether: ") + why);
  };
  for (VersionWriter* w : writers) {
    auto* fw = dynamic_cast<FilesystemVersionWriter*>(w);
    if (fw == nullptr) return refuse("writer of another store");
    auto v = fw->TakePending(this);
    if (!v.ok()) return refuse("writer already committed or of another store");
    const bool duplicate = !names.insert(v->paths.name_dir).second;
    batch.push_back(std::move(v).value());
    if (duplicate) return refuse("two writers of one artifact");
  }
  return FinishAll(&batch, participant);
}

// §5.3 steps 3-11 for every version of `batch`, in lockstep: each step runs for all versions
// and its fsyncs complete together (one SyncGroup round) before the next step starts, so each
// version goes through exactly the states of §5.8 (docs/design/storage.md §6).
Result<std::vector<SavedVersion>> FilesystemDataStore::FinishAll(
    std::vector<PendingVersion>* batch_ptr, CommitParticipant* participant) {
  std::vector<PendingVersion>& batch = *batch_ptr;
  auto fail = [&](Status s) -> Result<std::vector<SavedVersion>> {
    for (PendingVersion& v : batch) {
      if (v.raw_file) (void)v.raw_file->Close();
      if (v.metadata_file) (void)v.metadata_file->Close();
      v.hwm.reset();     // removes an unpublished temp
      v.latest.reset();  // removes an unpublished temp
      if (!v.visible) (void)env_->RemoveTree(v.stage);
    }
    return s;
  };
  auto describe = [&] {
    std::vector<SavedVersion> out;
    for (const PendingVersion& v : batch) {
      SavedVersion sv;
      sv.id = v.record.id;
      sv.name = v.record.name;
      sv.version = v.version;
      sv.version_dir = VersionDir(v.paths, v.version);
      sv.size = v.size.value_or(0);
      sv.checksum = v.checksum.value_or("");
      out.push_back(std::move(sv));
    }
    return out;
  };
  SyncGroup round(env_);

  // Round 1 (steps 3-5 and the contents of steps 6 and 9): raw, metadata.yaml and the staging
  // directory; the HWM and `latest` temp files, whose renames come in later rounds.
  for (PendingVersion& v : batch) {
    const ArtifactPaths& p = v.paths;
    auto highest = HighestLenient(p);
    if (!highest.ok()) return fail(highest.status());
    v.version = std::max(ReadHwm(p), *highest) + 1;  // step 4
    v.record.version = v.version;
    v.record.created_at = v.created_at.empty() ? NowIsoMillis() : v.created_at;
    v.record.size = v.size;
    v.record.checksum = v.checksum;
    // Step 5: metadata.yaml is written in place: the staging directory is invisible.
    auto meta = env_->NewExclusiveFile(v.stage + "/metadata.yaml");
    if (!meta.ok()) return fail(meta.status());
    v.metadata_file = std::move(meta).value();
    if (Status s = v.metadata_file->Append(MetadataToYaml(v.record)); !s.ok()) return fail(s);
    round.AddFile(v.metadata_file.get());
    if (v.raw_file) round.AddFile(v.raw_file.get());
    round.AddDir(v.stage);
    const std::string hwm_dir = ParentDir(p.hwm_file);
    if (Status s = CreateDirsDurably(env_, hwm_dir); !s.ok()) return fail(s);
    auto hwm = StagedFile::Create(env_, hwm_dir, p.key.name, std::to_string(v.version));
    if (!hwm.ok()) return fail(hwm.status());
    v.hwm = std::move(hwm).value();
    round.AddFile(v.hwm->file());
    if (Status s = AssertSafePath(p.name_dir + "/latest"); !s.ok()) return fail(s);
    auto latest = StagedFile::Create(env_, p.name_dir, "latest", std::to_string(v.version));
    if (!latest.ok()) return fail(latest.status());
    v.latest = std::move(latest).value();
    round.AddFile(v.latest->file());
  }
  if (participant != nullptr) participant->AddToFirstRound(&round);
  if (Status s = round.Sync(); !s.ok()) return fail(s);
  for (PendingVersion& v : batch) {
    Status s = v.metadata_file->Close();
    if (s.ok() && v.raw_file) s = v.raw_file->Close();
    if (!s.ok()) return fail(s);
    v.metadata_file.reset();
    v.raw_file.reset();
  }

  // Round 2 (step 6): the HWMs, durable before any number becomes visible.
  for (PendingVersion& v : batch) {
    if (Status s = v.hwm->Publish(); !s.ok()) return fail(s);
    round.AddDir(v.hwm->dir());
  }
  if (Status s = round.Sync(); !s.ok()) return fail(s);
  if (participant != nullptr) {
    if (Status s = participant->Numbered(describe(), &round); !s.ok()) return fail(s);
  }

  // Round 3 (steps 7-8): visibility. A number taken meanwhile by a writer that ignores the
  // model lock (EEXIST) is re-chosen one step at a time, as §5.3 step 7 prescribes.
  bool renumbered = false;
  for (PendingVersion& v : batch) {
    const ArtifactPaths& p = v.paths;
    for (int attempt = 1;; ++attempt) {
      Status s = env_->RenameNoReplace(v.stage, VersionDir(p, v.version));
      if (s.ok()) break;
      if (s.sys_errno() != EEXIST && s.sys_errno() != ENOTEMPTY) return fail(s);
      if (attempt >= kMaxAllocationAttempts) {
        return fail(Status(ErrorCode::kIoError, "Failed to allocate version for \"" +
                                                    v.record.name + "\" after 100 retries"));
      }
      renumbered = true;
      v.version += 1;
      v.record.version = v.version;
      if (Status w = WriteFileDurably(env_, v.stage, "metadata.yaml", MetadataToYaml(v.record));
          !w.ok()) {
        return fail(w);
      }
      if (Status h = RaiseHwm(p, v.version); !h.ok()) return fail(h);
      v.latest.reset();
      auto latest = StagedFile::Create(env_, p.name_dir, "latest", std::to_string(v.version));
      if (!latest.ok()) return fail(latest.status());
      v.latest = std::move(latest).value();
      if (Status l = v.latest->file()->Sync(); !l.ok()) return fail(l);
    }
    v.visible = true;
    round.AddDir(p.name_dir);
  }
  if (renumbered && participant != nullptr) {
    // The participant replaces what its first Numbered staged, which is still in `round`:
    // sync the round first, so that nothing in it is released before it is synced.
    if (Status s = round.Sync(); !s.ok()) return fail(s);
    if (Status s = participant->Numbered(describe(), &round); !s.ok()) return fail(s);
  }
  if (Status s = round.Sync(); !s.ok()) return fail(s);  // step 8

  // Round 4 (step 9, §5.4): `latest`, renamed over the old marker, never deleted first.
  for (PendingVersion& v : batch) {
    if (Status s = v.latest->Publish(); !s.ok()) return fail(s);
    round.AddDir(v.paths.name_dir);
  }
  if (participant != nullptr) {
    if (Status s = participant->Visible(&round); !s.ok()) return fail(s);
  }
  if (Status s = round.Sync(); !s.ok()) return fail(s);

  std::vector<SavedVersion> out = describe();
  // Step 11: write-time pruning (autoGc, integer policies only), §5.5, complete versions only.
  for (size_t i = 0; i < batch.size(); ++i) {
    const PendingVersion& v = batch[i];
    const int64_t* keep = std::get_if<int64_t>(&v.record.garbage_collection);
    if (keep == nullptr || !layout_.auto_gc) continue;
    auto complete = CompleteVersions(v.paths);
    if (!complete.ok()) {
      out[i].warnings.push_back(complete.status().message());
    } else if (static_cast<int64_t>(complete->size()) > *keep) {
      std::vector<int64_t> old(complete->begin(), complete->end() - *keep);
      if (Status s = DeleteVersions(v.paths.key, old, &out[i].warnings); !s.ok()) {
        out[i].warnings.push_back("write-time pruning failed: " + s.message());
      }
    }
  }
  return out;
}

// §5.5.
Status FilesystemDataStore::DeleteVersions(const ArtifactKey& key,
                                           const std::vector<int64_t>& versions,
                                           std::vector<std::string>* warnings) {
  FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
  FEN_ASSIGN_OR_RETURN(int64_t highest, HighestLenient(p));
  FEN_RETURN_IF_ERROR(RaiseHwm(p, highest));  // step 1
  FEN_ASSIGN_OR_RETURN(std::vector<int64_t> complete, CompleteVersions(p));
  std::set<int64_t> remove(versions.begin(), versions.end());
  std::optional<int64_t> survivor;
  for (int64_t v : complete) {
    if (remove.count(v) == 0) survivor = v;
  }
  if (!survivor) return DeleteArtifact(key, warnings);  // step 2: nothing remains -> §5.6
  if (ReadMarker(p) != survivor) FEN_RETURN_IF_ERROR(UpdateLatest(p, *survivor));
  std::vector<std::string> trashed;
  for (int64_t v : remove) {  // step 3
    bool exdev = false;
    auto moved = MoveToTrash(VersionDir(p, v), &exdev);
    if (!moved.ok()) {
      if (moved.status().IsNotFound()) continue;
      return moved.status();
    }
    if (exdev) {  // §5.6 cross-device fallback, applied per version
      const std::string local = p.name_dir + "/.fen-trash-" + NewUuidV4();
      FEN_RETURN_IF_ERROR(env_->Rename(VersionDir(p, v), local));
      trashed.push_back(local);
    } else {
      trashed.push_back(*moved);
    }
  }
  FEN_RETURN_IF_ERROR(env_->SyncDir(p.name_dir));  // step 4
  if (env_->Access(layout_.fen_dir + "/trash", 0)) {
    FEN_RETURN_IF_ERROR(env_->SyncDir(layout_.fen_dir + "/trash"));
  }
  for (const auto& t : trashed) {  // step 5
    if (Status s = env_->RemoveTree(t); !s.ok() && warnings != nullptr) {
      warnings->push_back("could not remove " + t + ": " + s.message());
    }
  }
  return Status::Ok();
}

// §5.6.
Status FilesystemDataStore::DeleteArtifact(const ArtifactKey& key,
                                           std::vector<std::string>* warnings) {
  FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
  FEN_ASSIGN_OR_RETURN(int64_t highest, HighestLenient(p));
  FEN_RETURN_IF_ERROR(RaiseHwm(p, highest));  // step 1
  bool exdev = false;
  auto moved = MoveToTrash(p.name_dir, &exdev);  // step 2
  if (!moved.ok()) {
    if (moved.status().IsNotFound()) return Status::Ok();
    return moved.status();
  }
  if (exdev) {
    // Cross-device fallback: versions ascending, the one `latest` names last, then `latest`.
    FEN_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, NameDirEntries(p));
    std::vector<int64_t> nums;
    for (const auto& e : entries) {
      if (auto v = ParseVersionStrict(e.name); v && e.type == FileType::kDirectory) {
        nums.push_back(*v);
      }
    }
    std::sort(nums.begin(), nums.end());
    auto marker = ReadMarker(p);
    std::stable_partition(nums.begin(), nums.end(), [&](int64_t v) { return v != marker; });
    for (int64_t v : nums) {
      FEN_RETURN_IF_ERROR(
          env_->Rename(VersionDir(p, v), p.name_dir + "/.fen-trash-" + NewUuidV4()));
    }
    FEN_RETURN_IF_ERROR(env_->SyncDir(p.name_dir));
    if (Status s = env_->Unlink(p.name_dir + "/latest"); !s.ok() && !s.IsNotFound()) return s;
    FEN_RETURN_IF_ERROR(env_->RemoveTree(p.name_dir));
    return env_->SyncDir(p.model_dir);
  }
  FEN_RETURN_IF_ERROR(env_->SyncDir(p.model_dir));  // step 3
  FEN_RETURN_IF_ERROR(env_->SyncDir(layout_.fen_dir + "/trash"));
  if (Status s = env_->RemoveTree(*moved); !s.ok() && warnings != nullptr) {  // step 4
    warnings->push_back("could not remove " + *moved + ": " + s.message());
  }
  return Status::Ok();
}

// §6.9 (fen rules).
Result<RenameResult> FilesystemDataStore::Rename(const ArtifactKey& old_key,
                                                 const std::string& new_name) {
  if (Status s = ValidateDataName(new_name); !s.ok()) {
    return Status(ErrorCode::kValidationFailed,
                  "Invalid new name \"" + new_name + "\": " + s.message());
  }
  FEN_ASSIGN_OR_RETURN(ArtifactPaths old_p, PathsFor(old_key, false));
  ArtifactKey new_key{old_p.key.type, old_p.key.model_id, new_name};
  FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> old_rec, OwnLatest(old_p));
  if (!old_rec) {
    return Status(ErrorCode::kDataNotFound, "Data \"" + old_key.name + "\" not found");
  }
  if (old_rec->deleted) {
    return Status(ErrorCode::kAlreadyDeleted,
                  "Data \"" + old_key.name + "\" is already deleted or renamed");
  }
  FEN_ASSIGN_OR_RETURN(ArtifactPaths new_p, PathsFor(new_key, false));
  FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> new_rec, OwnLatest(new_p));
  if (new_rec && !new_rec->deleted) {
    return Status(ErrorCode::kAlreadyExists, "Data \"" + new_name + "\" already exists");
  }
  FEN_ASSIGN_OR_RETURN(std::optional<std::string> content, GetContent(old_p.key, old_rec->version));
  if (!content) {
    return Status(ErrorCode::kContentNotFound, "Content not found for \"" + old_key.name +
                                                   "\" version " +
                                                   std::to_string(old_rec->version));
  }
  DataRecord fresh;
  fresh.content_type = old_rec->content_type;
  fresh.lifetime = old_rec->lifetime;
  fresh.garbage_collection = old_rec->garbage_collection;
  fresh.streaming = old_rec->streaming;
  fresh.tags = old_rec->tags;
  fresh.owner = old_rec->owner;
  FEN_ASSIGN_OR_RETURN(SavedVersion saved, SaveInternal(new_key, fresh, *content, WriteOptions{}));

  DataRecord tomb = *old_rec;
  tomb.content_type = "application/json";
  tomb.streaming = false;
  tomb.deleted = true;
  tomb.renamed_to = new_name;
  WriteOptions opts;
  opts.with_size_checksum = false;
  opts.created_at = NowIsoMillis();
  Json marker = Json::object();
  marker["renamedTo"] = new_name;
  marker["renamedAt"] = opts.created_at;
  auto tomb_saved = SaveInternal(old_p.key, tomb, ToCompactJson(marker), opts);
  if (!tomb_saved.ok()) {
    std::vector<std::string> warnings;
    Status rollback = DeleteVersions(new_p.key, {saved.version}, &warnings);
    std::string msg = tomb_saved.status().message();
    if (!rollback.ok())
      msg += " (rollback of \"" + new_name + "\" failed: " + rollback.message() + ")";
    return Status(tomb_saved.status().code(), msg);
  }
  RenameResult r;
  r.copied_version = old_rec->version;
  r.new_version = saved.version;
  return r;
}

// §6.4 / §5.10: in-place append (the one write P1 cannot cover).
Status FilesystemDataStore::Append(const ArtifactKey& key, std::string_view bytes) {
  FEN_ASSIGN_OR_RETURN(ArtifactPaths p, PathsFor(key, false));
  FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> rec, OwnLatest(p));
  if (!rec) {
    return Status(ErrorCode::kDataNotFound, "No existing data found for \"" + key.name + "\"");
  }
  if (!rec->streaming) {
    return Status(ErrorCode::kValidationFailed,
                  "Data \"" + key.name + "\" is not configured for streaming");
  }
  const std::string vdir = VersionDir(p, rec->version);
  FEN_RETURN_IF_ERROR(AssertSafePath(vdir + "/raw"));
  {
    FEN_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> raw, env_->NewAppendableFile(vdir + "/raw"));
    FEN_RETURN_IF_ERROR(raw->Append(bytes));
    FEN_RETURN_IF_ERROR(raw->Sync());
    FEN_RETURN_IF_ERROR(raw->Close());
  }
  FEN_ASSIGN_OR_RETURN(FileInfo info, env_->Stat(vdir + "/raw"));
  rec->size = static_cast<int64_t>(info.size);
  rec->checksum.reset();
  return WriteFileDurably(env_, vdir, "metadata.yaml", MetadataToYaml(*rec));
}

// §5.8 cleanup rules.
Result<int64_t> FilesystemDataStore::CleanupLeftovers(std::vector<std::string>* warnings) {
  int64_t removed = 0;
  auto remove = [&](const std::string& path) {
    Status s = env_->RemoveTree(path);
    if (s.ok()) {
      ++removed;
    } else if (warnings != nullptr) {
      warnings->push_back("could not remove " + path + ": " + s.message());
    }
  };
  auto is_tmp = [](const std::string& n) {
    return n.size() > 5 && n[0] == '.' && n.substr(n.size() - 4) == ".tmp";
  };
  const std::string trash = layout_.fen_dir + "/trash";
  auto trash_info = env_->Lstat(trash);
  auto fen_info = env_->Lstat(layout_.fen_dir);
  const bool trash_is_dir = trash_info.ok() && trash_info->type == FileType::kDirectory &&
                            fen_info.ok() && fen_info->type == FileType::kDirectory;
  if (trash_info.ok() && !trash_is_dir && warnings != nullptr) {
    // Never empty a planted symlink's target (docs/security.md).
    warnings->push_back("not emptying " + trash + ": not a directory (symlink?)");
  }
  if (auto entries = trash_is_dir ? env_->ListDir(trash)
                                  : Result<std::vector<DirEntry>>(std::vector<DirEntry>());
      entries.ok()) {
    for (const auto& e : *entries) remove(trash + "/" + e.name);
  }
  FEN_ASSIGN_OR_RETURN(std::vector<ModelKey> models, ListModels(nullptr));
  for (const auto& m : models) {
    auto names = ListDataNames(m.type, m.model_id);
    if (!names.ok()) continue;
    for (const auto& n : *names) {
      const std::string name_dir = layout_.data_root + "/" + m.type + "/" + m.model_id + "/" + n;
      auto entries = env_->ListDir(name_dir);
      if (!entries.ok()) continue;
      for (const auto& e : *entries) {
        const std::string path = name_dir + "/" + e.name;
        if (e.type == FileType::kDirectory &&
            (e.name.rfind(".fen-stage-", 0) == 0 || e.name.rfind(".fen-trash-", 0) == 0)) {
          remove(path);
        } else if (e.type == FileType::kRegular && is_tmp(e.name)) {
          remove(path);
        } else if (e.type == FileType::kDirectory && ParseVersionStrict(e.name)) {
          auto inner = env_->ListDir(path);
          if (!inner.ok()) continue;
          for (const auto& f : *inner) {
            if (f.type == FileType::kRegular && is_tmp(f.name)) remove(path + "/" + f.name);
          }
        }
      }
    }
  }
  return removed;
}

}  // namespace

std::unique_ptr<DataStore> OpenFilesystemDataStore(Env* env, const FilesystemLayout& layout) {
  return std::make_unique<FilesystemDataStore>(env, layout);
}

std::unique_ptr<DataStore> OpenFilesystemDataStore(Env* env, const RepoContext& repo) {
  return OpenFilesystemDataStore(env, FilesystemLayout{repo.data_root, repo.fen_dir, repo.auto_gc});
}

}  // namespace fen::storage
