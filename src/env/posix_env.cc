// PosixEnv: Env on Linux system calls. See include/fen/env/env.h for the contract.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "env/file_info_from_stat.h"
#include "env/uring_fsync.h"
#include "fen/env/env.h"

namespace fen {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override { (void)Close(); }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("cannot write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fsync(fd_) != 0) return ErrnoError("cannot fsync", path_, errno);
    return Status::Ok();
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 && errno != EINTR) return ErrnoError("cannot close", path_, errno);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return ErrnoError("cannot create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_CREAT | O_APPEND | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return ErrnoError("cannot open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    // O_NONBLOCK: a FIFO planted where a file is expected reads as empty (or EAGAIN) instead
    // of blocking the command forever (tests/hostile_input_test.cc); regular files ignore it.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return ErrnoError("cannot read", path, errno);
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return ErrnoError("cannot read", path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("cannot open directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoError("cannot fsync directory", path, err);
    return Status::Ok();
  }

  // One io_uring submission for the whole round (src/env/uring_fsync.h); the threaded default
  // for files of another Env, or where io_uring is unavailable.
  Status SyncBatch(const std::vector<WritableFile*>& files,
                   const std::vector<std::string>& dirs) override {
    if (files.size() + dirs.size() < 2) return Env::SyncBatch(files, dirs);
    std::vector<int> fds;
    fds.reserve(files.size() + dirs.size());
    for (WritableFile* f : files) {
      auto* posix = dynamic_cast<PosixWritableFile*>(f);
      if (posix == nullptr) return Env::SyncBatch(files, dirs);
      fds.push_back(posix->fd());
    }
    // fds: the files' descriptors, then those of the directories that opened.
    std::vector<int> dir_fds(dirs.size(), -1), open_errors(dirs.size(), 0);
    for (size_t i = 0; i < dirs.size(); ++i) {
      dir_fds[i] = ::open(dirs[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fds[i] < 0) {
        open_errors[i] = errno;
      } else {
        fds.push_back(dir_fds[i]);
      }
    }
    auto errors = UringFsyncAll(fds);
    for (int fd : dir_fds) {
      if (fd >= 0) ::close(fd);
    }
    if (!errors) return Env::SyncBatch(files, dirs);
    Status first;
    for (size_t i = 0; i < files.size() && first.ok(); ++i) {
      if (int err = (*errors)[i]; err != 0) {
        first = ErrnoError("cannot fsync", static_cast<PosixWritableFile*>(files[i])->path(), err);
      }
    }
    size_t k = files.size();
    for (size_t i = 0; i < dirs.size(); ++i) {
      Status s;
      if (open_errors[i] != 0) {
        s = ErrnoError("cannot open directory", dirs[i], open_errors[i]);
      } else if (int err = (*errors)[k++]; err != 0) {
        s = ErrnoError("cannot fsync directory", dirs[i], err);
      }
      if (first.ok() && !s.ok()) first = s;
    }
    return first;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoError("cannot rename", from, errno);
    return Status::Ok();
  }
  Status RenameNoReplace(const std::string& from, const std::string& to) override {
#ifdef SYS_renameat2
    long rc = ::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                        1u /* RENAME_NOREPLACE */);
    if (rc == 0) return Status::Ok();
    if (errno != EINVAL && errno != ENOSYS) return ErrnoError("cannot rename", from, errno);
#endif
    struct stat st;
    if (::lstat(to.c_str(), &st) == 0) return ErrnoError("cannot rename", from, EEXIST);
    return Rename(from, to);
  }
  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return ErrnoError("cannot link", to, errno);
    return Status::Ok();
  }
  Status Unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoError("cannot remove", path, errno);
    return Status::Ok();
  }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0777) != 0) return ErrnoError("cannot create directory", path, errno);
    return Status::Ok();
  }
  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return ErrnoError("cannot remove directory", path, errno);
    return Status::Ok();
  }
  Status RemoveTree(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return ErrnoError("cannot stat", path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return ErrnoError("cannot remove", path, errno);
      return Status::Ok();
    }
    auto entries = ListDir(path);
    if (!entries.ok()) return entries.status().IsNotFound() ? Status::Ok() : entries.status();
    for (const auto& e : *entries) FEN_RETURN_IF_ERROR(RemoveTree(path + "/" + e.name));
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("cannot remove directory", path, errno);
    }
    return Status::Ok();
  }

  Result<std::vector<DirEntry>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return ErrnoError("cannot list", path, errno);
    std::vector<DirEntry> out;
    errno = 0;
    while (struct dirent* de = ::readdir(d)) {
      std::string_view name(de->d_name);
      if (name == "." || name == "..") continue;
      DirEntry e;
      e.name = std::string(name);
      switch (de->d_type) {
        case DT_REG:
          e.type = FileType::kRegular;
          break;
        case DT_DIR:
          e.type = FileType::kDirectory;
          break;
        case DT_LNK:
          e.type = FileType::kSymlink;
          break;
        case DT_UNKNOWN: {
          struct stat st;
          if (::fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            e.type = TypeFromMode(st.st_mode);
          }
          break;
        }
        default:
          e.type = FileType::kOther;
          break;
      }
      out.push_back(std::move(e));
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoError("cannot list", path, err);
    return out;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoError("cannot stat", path, errno);
    return InfoFromStat(st);
  }
  Result<FileInfo> Lstat(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return ErrnoError("cannot stat", path, errno);
    return InfoFromStat(st);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0) return ErrnoError("cannot read link", path, errno);
    return std::string(buf, static_cast<size_t>(n));
  }
  // The kernel resolves `path` once (an O_PATH open) and names the result (readlink of
  // /proc/self/fd/N), where glibc's realpath(3) issues a readlink per path component
  // (docs/design/storage.md §7). The name is used only if it denotes the inode that was
  // opened: a /proc that is not procfs, a directory deleted meanwhile (" (deleted)") or one
  // outside this process's root fail that check. realpath(3) answers then, and whenever the
  // open fails (EMFILE, a path longer than PATH_MAX that realpath can still shorten), so errors
  // are realpath's own.
  Result<std::string> RealPath(const std::string& path) override {
    if (auto resolved = KernelRealPath(path)) return *std::move(resolved);
    char* p = ::realpath(path.c_str(), nullptr);
    if (p == nullptr) return ErrnoError("cannot resolve", path, errno);
    std::string out(p);
    std::free(p);
    return out;
  }
  static std::optional<std::string> KernelRealPath(const std::string& path) {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char link[32];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    char buf[PATH_MAX];
    ssize_t n = ::readlink(link, buf, sizeof buf);
    struct stat opened, named;
    // A name that fits, is absolute, and an inode to compare it with.
    const bool comparable =
        n > 0 && static_cast<size_t>(n) < sizeof buf && buf[0] == '/' && ::fstat(fd, &opened) == 0;
    ::close(fd);
    if (!comparable) return std::nullopt;
    std::string out(buf, static_cast<size_t>(n));
    if (::stat(out.c_str(), &named) != 0 || named.st_dev != opened.st_dev ||
        named.st_ino != opened.st_ino) {
      return std::nullopt;
    }
    return out;
  }
  bool Access(const std::string& path, int mode) override {
    return ::access(path.c_str(), mode) == 0;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: usable during static teardown
  return env;
}

Status CreateDirs(Env* env, const std::string& path, std::vector<std::string>* created) {
  if (path.empty() || path == "/") return Status::Ok();
  auto st = env->Stat(path);
  if (st.ok()) {
    if (st->type == FileType::kDirectory) return Status::Ok();
    return ErrnoError("cannot create directory", path, ENOTDIR);
  }
  if (!st.status().IsNotFound()) return st.status();
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    FEN_RETURN_IF_ERROR(CreateDirs(env, path.substr(0, slash), created));
  }
  Status s = env->CreateDir(path);
  if (!s.ok()) {
    if (s.sys_errno() == EEXIST) return Status::Ok();  // lost a benign race
    return s;
  }
  if (created != nullptr) created->push_back(path);
  return Status::Ok();
}

}  // namespace fen
