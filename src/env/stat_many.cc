// StatMany (include/fen/env/stat_many.h).
#include "fen/env/stat_many.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "env/file_info_from_stat.h"

namespace fen {
namespace {

std::vector<Result<FileInfo>> PathByPath(Env* env, const std::string& dir,
                                         const std::vector<StatRequest>& rels) {
  std::vector<Result<FileInfo>> out;
  out.reserve(rels.size());
  for (const auto& r : rels) {
    const std::string path = dir + "/" + r.path;
    out.push_back(r.follow ? env->Stat(path) : env->Lstat(path));
  }
  return out;
}

}  // namespace

std::vector<Result<FileInfo>> StatMany(Env* env, const std::string& dir,
                                       const std::vector<StatRequest>& rels) {
  if (env != Env::Default()) return PathByPath(env, dir, rels);
  const int dfd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return PathByPath(env, dir, rels);  // the per-path errors
  constexpr unsigned kMask =
      STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME;
  std::vector<Result<FileInfo>> out;
  out.reserve(rels.size());
  for (const auto& r : rels) {
    struct statx stx;
    const int flags = r.follow ? 0 : AT_SYMLINK_NOFOLLOW;
    if (::statx(dfd, r.path.c_str(), flags, kMask, &stx) != 0) {
      out.push_back(ErrnoError("cannot stat", dir + "/" + r.path, errno));
      continue;
    }
    FileInfo info;
    info.type = TypeFromMode(stx.stx_mode);
    info.size = stx.stx_size;
    info.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    info.ino = stx.stx_ino;
    info.mode = stx.stx_mode;
    info.nlink = stx.stx_nlink;
    info.mtime_ns = static_cast<int64_t>(stx.stx_mtime.tv_sec) * 1000000000 + stx.stx_mtime.tv_nsec;
    info.ctime_ns = static_cast<int64_t>(stx.stx_ctime.tv_sec) * 1000000000 + stx.stx_ctime.tv_nsec;
    out.push_back(std::move(info));
  }
  ::close(dfd);
  return out;
}

}  // namespace fen
