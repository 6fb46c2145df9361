// Durable file primitives (shared/spec/storage.md §5.2), the one implementation every fen
// component uses for files that must survive a crash: data versions, `latest`, HWMs,
// `.swamp.yaml`, `.gitignore`, definitions, run records (cli.md C-6).
//
// write_durable: create `{dir}/.{uuid}.tmp` with O_EXCL, write, fsync, close, rename over the
// target, fsync the directory. A crash leaves the old content or the new, never a torn file;
// the new content is durable once the call returns OK. On failure the temp file is removed
// (best effort) and the target is untouched. Stateless: safe from any thread as far as `env`
// is; concurrent writers of one target race only on which complete version wins.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

// write_durable of `{dir}/{name}`; `dir` must exist.
Status WriteFileDurably(Env* env, const std::string& dir, const std::string& name,
                        std::string_view bytes);
// write_durable of `path`, creating missing parent directories durably first.
Status WriteFileDurably(Env* env, const std::string& path, std::string_view bytes);
// mkdir -p `path`, then fsync the parent of every directory actually created.
Status CreateDirsDurably(Env* env, const std::string& path);
// For caches only: replaces `path` atomically (`{dir}/.{uuid}.tmp`, rename) without any fsync,
// creating missing parents. A crash may leave the old content, the new, or an empty file:
// readers must treat what they read as unverified. On failure the temp file is removed.
Status ReplaceFileNotDurably(Env* env, const std::string& path, std::string_view bytes);
// write_durable split in two for batched protocols (docs/design/storage.md §6): Create writes
// `{dir}/.{uuid}.tmp` (not yet synced); the caller adds file() to a SyncGroup round; after
// that round Publish() renames it over `{dir}/{name}`, and a later round syncs `dir`.
// Destroying an unpublished StagedFile removes the temp file (best effort; gc removes
// `.*.tmp` leftovers of a crash). Owned by one thread.
class StagedFile {
 public:
  static Result<std::unique_ptr<StagedFile>> Create(Env* env, const std::string& dir,
                                                    const std::string& name,
                                                    std::string_view bytes);
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  WritableFile* file() { return file_.get(); }
  const std::string& dir() const { return dir_; }
  // Closes and renames the (synced) temp file over the target.
  Status Publish();

 private:
  StagedFile(Env* env, std::string dir, std::string name, std::string tmp,
             std::unique_ptr<WritableFile> file)
      : env_(env),
        dir_(std::move(dir)),
        name_(std::move(name)),
        tmp_(std::move(tmp)),
        file_(std::move(file)) {}
  Env* env_;
  std::string dir_;
  std::string name_;
  std::string tmp_;
  std::unique_ptr<WritableFile> file_;
  bool published_ = false;
};

// Parent directory of a path ("/a/b" -> "/a", "b" -> ".", "/a" -> "/").
std::string ParentDir(const std::string& path);

}  // namespace fen
