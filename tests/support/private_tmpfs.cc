#include "support/private_tmpfs.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fen::fentest {

PrivateTmpfs::PrivateTmpfs(const std::string& mount_point, const std::string& size) {
  int fds[2];
  if (pipe(fds) != 0) {
    error_ = std::string("pipe: ") + strerror(errno);
    return;
  }
  helper_ = fork();
  if (helper_ == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string err;
    if (unshare(CLONE_NEWNS) != 0) {
      err = std::string("unshare(CLONE_NEWNS): ") + strerror(errno);
    } else if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      err = std::string("make / private: ") + strerror(errno);
    } else if (mount("tmpfs", mount_point.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      err = std::string("mount tmpfs: ") + strerror(errno);
    }
    std::string msg = err.empty() ? std::string("ok") : err;
    (void)!write(fds[1], msg.data(), msg.size());
    close(fds[1]);
    if (!err.empty()) _exit(1);
    for (;;) pause();
  }
  close(fds[1]);
  if (helper_ < 0) {
    error_ = std::string("fork: ") + strerror(errno);
    close(fds[0]);
    return;
  }
  char buf[256];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  std::string msg = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "helper died";
  if (msg != "ok") error_ = msg;
}

PrivateTmpfs::~PrivateTmpfs() {
  if (helper_ > 0) {
    kill(helper_, SIGKILL);
    waitpid(helper_, nullptr, 0);
  }
}

std::string PrivateTmpfs::View(const std::string& path) const {
  return "/proc/" + std::to_string(helper_) + "/root" + path;
}

bool PrivateTmpfs::Enter() const {
  int fd = open(("/proc/" + std::to_string(helper_) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = setns(fd, CLONE_NEWNS) == 0;
  close(fd);
  return ok;
}

long long FillUntilFull(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  char block[4096];
  memset(block, 'f', sizeof block);
  long long total = 0;
  for (;;) {
    ssize_t n = write(fd, block, sizeof block);
    if (n <= 0) break;
    total += n;
  }
  // Single bytes fill the last partial page too.
  while (write(fd, block, 1) == 1) ++total;
  close(fd);
  return total;
}

}  // namespace fen::fentest
