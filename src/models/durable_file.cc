#include "fen/models/durable_file.h"

#include <vector>

#include "fen/base/uuid.h"

namespace fen::models {

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status CreateDirsDurably(Env* env, const std::string& dir) {
  std::vector<std::string> created;
  FEN_RETURN_IF_ERROR(CreateDirs(env, dir, &created));
  for (const auto& d : created) FEN_RETURN_IF_ERROR(env->SyncDir(ParentDir(d)));
  return Status::Ok();
}

Status WriteFileDurably(Env* env, const std::string& path, std::string_view content) {
  std::string dir = ParentDir(path);
  FEN_RETURN_IF_ERROR(CreateDirsDurably(env, dir));
  std::string tmp = dir + "/." + NewUuidV4() + ".tmp";
  {
    FEN_ASSIGN_OR_RETURN(auto file, env->NewExclusiveFile(tmp));
    Status s = file->Append(content);
    if (s.ok()) s = file->Sync();
    Status c = file->Close();
    if (s.ok()) s = c;
    if (!s.ok()) {
      (void)env->Unlink(tmp);
      return s;
    }
  }
  if (Status s = env->Rename(tmp, path); !s.ok()) {
    (void)env->Unlink(tmp);
    return s;
  }
  return env->SyncDir(dir);
}

}  // namespace fen::models
