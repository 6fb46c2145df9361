// FileInfo from what stat(2)/fstat(2) returned, for the POSIX Env and the batched helpers
// (stat_many.h, read_many.h). Pure functions; thread-safe.
#pragma once

#include <sys/stat.h>

#include "fen/env/env.h"

namespace fen {

inline FileType TypeFromMode(mode_t m) {
  if (S_ISREG(m)) return FileType::kRegular;
  if (S_ISDIR(m)) return FileType::kDirectory;
  if (S_ISLNK(m)) return FileType::kSymlink;
  return FileType::kOther;
}

inline FileInfo InfoFromStat(const struct stat& st) {
  FileInfo info;
  info.type = TypeFromMode(st.st_mode);
  info.size = static_cast<uint64_t>(st.st_size);
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  info.mode = st.st_mode;
  info.nlink = st.st_nlink;
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return info;
}

}  // namespace fen
