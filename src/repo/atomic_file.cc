// See include/fen/repo/atomic_file.h.
#include "fen/repo/atomic_file.h"

#include <filesystem>

#include "fen/base/uuid.h"

namespace fen {

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view content) {
  std::filesystem::path target(path);
  std::string dir = target.parent_path().string();
  if (dir.empty()) dir = ".";
  const std::string tmp = dir + "/." + NewUuidV4() + ".tmp";
  FEN_ASSIGN_OR_RETURN(auto file, env->NewExclusiveFile(tmp));
  Status s = file->Append(content);
  if (s.ok()) s = file->Sync();
  Status close = file->Close();
  if (s.ok()) s = close;
  if (s.ok()) s = env->Rename(tmp, path);
  if (!s.ok()) {
    (void)env->Unlink(tmp);
    return s;
  }
  return env->SyncDir(dir);
}

}  // namespace fen
