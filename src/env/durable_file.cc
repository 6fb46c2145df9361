// storage.md §5.2 primitives. See include/fen/env/durable_file.h.
#include "fen/env/durable_file.h"

#include <vector>

#include "fen/base/uuid.h"

namespace fen {

std::string ParentDir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteFileDurably(Env* env, const std::string& dir, const std::string& name,
                        std::string_view bytes) {
  const std::string tmp = dir + "/." + NewUuidV4() + ".tmp";
  auto file = env->NewExclusiveFile(tmp);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(bytes);
  if (s.ok()) s = (*file)->Sync();
  Status c = (*file)->Close();
  if (s.ok()) s = c;
  if (s.ok()) s = env->Rename(tmp, dir + "/" + name);
  if (!s.ok()) {
    (void)env->Unlink(tmp);
    return s;
  }
  return env->SyncDir(dir);
}

Status WriteFileDurably(Env* env, const std::string& path, std::string_view bytes) {
  const std::string dir = ParentDir(path);
  FEN_RETURN_IF_ERROR(CreateDirsDurably(env, dir));
  return WriteFileDurably(env, dir, path.substr(path.find_last_of('/') + 1), bytes);
}

Status ReplaceFileNotDurably(Env* env, const std::string& path, std::string_view bytes) {
  const std::string dir = ParentDir(path);
  FEN_RETURN_IF_ERROR(CreateDirs(env, dir, nullptr));
  const std::string tmp = dir + "/." + NewUuidV4() + ".tmp";
  auto file = env->NewExclusiveFile(tmp);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(bytes);
  Status c = (*file)->Close();
  if (s.ok()) s = c;
  if (s.ok()) s = env->Rename(tmp, path);
  if (!s.ok()) (void)env->Unlink(tmp);
  return s;
}

Status CreateDirsDurably(Env* env, const std::string& path) {
  std::vector<std::string> created;
  FEN_RETURN_IF_ERROR(CreateDirs(env, path, &created));
  for (const auto& d : created) FEN_RETURN_IF_ERROR(env->SyncDir(ParentDir(d)));
  return Status::Ok();
}

Result<std::unique_ptr<StagedFile>> StagedFile::Create(Env* env, const std::string& dir,
                                                       const std::string& name,
                                                       std::string_view bytes) {
  std::string tmp = dir + "/." + NewUuidV4() + ".tmp";
  auto file = env->NewExclusiveFile(tmp);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(bytes);
  if (!s.ok()) {
    (void)(*file)->Close();
    (void)env->Unlink(tmp);
    return s;
  }
  return std::unique_ptr<StagedFile>(
      new StagedFile(env, dir, name, std::move(tmp), std::move(file).value()));
}

StagedFile::~StagedFile() {
  if (published_) return;
  (void)file_->Close();
  (void)env_->Unlink(tmp_);
}

Status StagedFile::Publish() {
  Status s = file_->Close();
  if (s.ok()) s = env_->Rename(tmp_, dir_ + "/" + name_);
  if (s.ok()) published_ = true;
  return s;
}

}  // namespace fen
