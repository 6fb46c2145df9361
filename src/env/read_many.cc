// ReadMany (include/fen/env/read_many.h).
#include "fen/env/read_many.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "env/file_info_from_stat.h"

namespace fen {
namespace {

Result<FileRead> OnePath(Env* env, const std::string& path, bool stamp) {
  FileRead r;
  if (stamp) {
    FEN_ASSIGN_OR_RETURN(r.info, env->Stat(path));
  }
  FEN_ASSIGN_OR_RETURN(r.bytes, env->ReadFile(path));
  return r;
}

// Without a stamp: read until a read comes back short (the end of a regular file). A FIFO
// opened O_NONBLOCK reads as empty or EAGAIN, never blocks.
Result<FileRead> ReadUnstamped(int fd, const std::string& path) {
  FileRead r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoError("cannot read", path, err);
    }
    r.bytes.append(buf, static_cast<size_t>(n));
    if (static_cast<size_t>(n) < sizeof buf) break;
  }
  ::close(fd);
  return r;
}

std::optional<Result<FileRead>> ReadAt(int dfd, const std::string& rel, const std::string& path,
                                       bool stamp) {
  // O_NONBLOCK: opening a planted FIFO must not block; regular files ignore the flag.
  const int fd = ::openat(dfd, rel.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Result<FileRead>(ErrnoError("cannot read", path, errno));
  if (!stamp) return ReadUnstamped(fd, path);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  FileRead r;
  r.info = InfoFromStat(st);
  r.bytes.resize(r.info.size);
  size_t got = 0;
  while (got < r.bytes.size()) {
    const ssize_t n = ::read(fd, r.bytes.data() + got, r.bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Result<FileRead>(ErrnoError("cannot read", path, err));
    }
    if (n == 0) break;  // truncated since the fstat
    got += static_cast<size_t>(n);
  }
  r.bytes.resize(got);
  ::close(fd);
  return Result<FileRead>(std::move(r));
}

}  // namespace

std::vector<Result<FileRead>> ReadMany(Env* env, const std::string& dir,
                                       const std::vector<std::string>& rels, bool stamp) {
  std::vector<Result<FileRead>> out;
  out.reserve(rels.size());
  const int dfd =
      env == Env::Default() ? ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  for (const std::string& rel : rels) {
    const std::string path = dir + "/" + rel;
    std::optional<Result<FileRead>> r;
    if (dfd >= 0) r = ReadAt(dfd, rel, path, stamp);
    out.push_back(r ? std::move(*r) : OnePath(env, path, stamp));
  }
  if (dfd >= 0) ::close(dfd);
  return out;
}

}  // namespace fen
