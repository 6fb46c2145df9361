// command/shell execution (cli.md §4.2; docs/design/models.md §3).
#include "fen/models/shell_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "fen/base/clock.h"
#include "fen/models/cancellation.h"

extern char** environ;

namespace fen::models {

// ---- SpoolFile ---------------------------------------------------------------------------

SpoolFile::~SpoolFile() {
  if (fd_ >= 0) close(fd_);
}
SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(other.fd_), size_(other.size_), last_(other.last_) {
  other.fd_ = -1;
}
SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    size_ = other.size_;
    last_ = other.last_;
    other.fd_ = -1;
  }
  return *this;
}

Result<SpoolFile> SpoolFile::Create(const std::string& dir) {
  SpoolFile f;
  f.fd_ = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (f.fd_ < 0) {
    std::string templ = dir + "/.fen-spool-XXXXXX";
    f.fd_ = mkostemp(templ.data(), O_CLOEXEC);
    if (f.fd_ < 0) return ErrnoError("Cannot create spool file in", dir, errno);
    unlink(templ.c_str());
  }
  return f;
}

Status SpoolFile::Append(std::string_view bytes) {
  if (!bytes.empty()) last_ = bytes.back();
  while (!bytes.empty()) {
    ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("Cannot write spool file", "", errno);
    }
    size_ += n;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SpoolFile::ReadChunks(int64_t limit,
                             const std::function<Status(std::string_view)>& sink) const {
  std::string buf(1 << 16, '\0');
  int64_t off = 0;
  while (off < limit) {
    size_t want =
        static_cast<size_t>(std::min<int64_t>(limit - off, static_cast<int64_t>(buf.size())));
    ssize_t n = pread(fd_, buf.data(), want, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("Cannot read spool file", "", errno);
    }
    if (n == 0) break;
    FEN_RETURN_IF_ERROR(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
    off += n;
  }
  return Status::Ok();
}

Result<std::string> SpoolFile::ReadPrefix(int64_t limit) const {
  std::string out;
  FEN_RETURN_IF_ERROR(ReadChunks(limit, [&](std::string_view c) {
    out.append(c);
    return Status::Ok();
  }));
  return out;
}

// ---- RunShell ----------------------------------------------------------------------------

namespace {

struct LineSplitter {
  std::string partial;
  void Feed(OutputStream s, std::string_view bytes, const ShellRunOptions& o) {
    while (!bytes.empty()) {
      size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        partial.append(bytes);
        if (partial.size() >= kMaxLineBytes) Flush(s, o);
        return;
      }
      partial.append(bytes.substr(0, nl));
      if (o.on_line) o.on_line(s, partial);
      partial.clear();
      bytes.remove_prefix(nl + 1);
    }
  }
  void Flush(OutputStream s, const ShellRunOptions& o) {
    if (!partial.empty() && o.on_line) o.on_line(s, partial);
    partial.clear();
  }
};

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// The child's set-up for posix_spawn: its own process group, default handlers and an empty
// mask for the signals fen handles or ignores, stdin from /dev/null
// (docs/design/models.md §3), stdout/stderr to the pipes, and the working directory.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  bool have_actions = false, have_attr = false;

  SpawnSetup() = default;
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    if (have_actions) posix_spawn_file_actions_destroy(&actions);
    if (have_attr) posix_spawnattr_destroy(&attr);
  }

  // 0 or the errno of the first set-up call that failed.
  int Prepare(int out_fd, int err_fd, const std::optional<std::string>& cwd) {
    if (int e = posix_spawn_file_actions_init(&actions); e != 0) return e;
    have_actions = true;
    if (int e = posix_spawnattr_init(&attr); e != 0) return e;
    have_attr = true;
    sigset_t defaults, none;
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) sigaddset(&defaults, sig);
    sigemptyset(&none);
    const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    for (int e :
         {posix_spawnattr_setflags(&attr, flags), posix_spawnattr_setpgroup(&attr, 0),
          posix_spawnattr_setsigdefault(&attr, &defaults), posix_spawnattr_setsigmask(&attr, &none),
          posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0),
          posix_spawn_file_actions_adddup2(&actions, out_fd, 1),
          posix_spawn_file_actions_adddup2(&actions, err_fd, 2)}) {
      if (e != 0) return e;
    }
    if (cwd) return posix_spawn_file_actions_addchdir_np(&actions, cwd->c_str());
    return 0;
  }
};

std::vector<std::string> BuildEnvironment(const ShellRunOptions& o) {
  std::vector<std::string> keys;
  std::map<std::string, std::string> values;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    if (values.emplace(k, kv.substr(eq + 1)).second) keys.push_back(k);
  }
  for (const auto& [k, v] : o.env) {
    if (values.count(k) == 0) keys.push_back(k);
    values[k] = v;
  }
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(k + "=" + values[k]);
  return out;
}

}  // namespace

Result<ShellRunResult> RunShell(const ShellRunOptions& o) {
  ShellRunResult result;
  FEN_ASSIGN_OR_RETURN(result.out, SpoolFile::Create(o.spool_dir));
  FEN_ASSIGN_OR_RETURN(result.err, SpoolFile::Create(o.spool_dir));

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoError("Cannot create pipe", "", errno);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return ErrnoError("Cannot create pipe", "", errno);
  }
  std::vector<std::string> env_strings = BuildEnvironment(o);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh";
  std::string dash_c = "-c";
  std::string run = o.run;
  char* argv[] = {sh.data(), dash_c.data(), run.data(), nullptr};

  // posix_spawn, not fork: glibc starts the child with CLONE_VM|CLONE_VFORK (no copy of fen's
  // page tables, no copy-on-write faults afterwards; all signals blocked until the child has
  // reset them) and returns the errno of a failed chdir or exec. docs/design/models.md §3.
  int64_t start = MonotonicMillis();
  SpawnSetup setup;
  int spawn_errno = setup.Prepare(out_pipe[1], err_pipe[1], o.working_dir);
  pid_t pid = -1;
  if (spawn_errno == 0) {
    spawn_errno = posix_spawn(&pid, argv[0], &setup.actions, &setup.attr, argv, envp.data());
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_errno != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.exit_code = -1;
    result.duration_ms = 0;
    result.error_message = std::string("Failed to spawn 'sh': ") + std::strerror(spawn_errno) +
                           " (os error " + std::to_string(spawn_errno) + ")";
    return result;
  }

  int fds[2] = {out_pipe[0], err_pipe[0]};
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  LineSplitter splitters[2];
  SpoolFile* spools[2] = {&result.out, &result.err};
  bool exited = false;
  int wstatus = 0;
  bool term_sent = false, kill_sent = false;
  int64_t term_at = 0, kill_at = 0;
  Status failure;
  std::string buf(1 << 16, '\0');
  const int cancel_fd = CancellationFd();

  auto terminate = [&](int64_t now) {
    killpg(pid, SIGTERM);
    term_sent = true;
    term_at = now;
  };

  while (true) {
    if (!exited) {
      pid_t r = waitpid(pid, &wstatus, WNOHANG);
      if (r == pid) exited = true;
    }
    if (exited && fds[0] < 0 && fds[1] < 0) break;
    if (o.on_tick) o.on_tick();
    int64_t now = MonotonicMillis();
    if (!term_sent) {
      if (o.timeout_ms && now - start >= *o.timeout_ms) {
        result.timed_out = true;
        terminate(now);
      } else if (CancellationRequested() || (o.cancel_at_ms && now >= *o.cancel_at_ms) ||
                 !failure.ok()) {
        result.cancelled = failure.ok();
        terminate(now);
      }
    }
    if (term_sent && !kill_sent && now - term_at >= kKillGraceMs) {
      killpg(pid, SIGKILL);
      kill_sent = true;
      kill_at = now;
    }
    // A holder outside the group (setsid) may keep the pipes open after the kill: stop.
    if (kill_sent && exited && now - kill_at >= 500) break;

    int64_t wait_ms = 1000;
    if (o.timeout_ms && !term_sent) wait_ms = std::min(wait_ms, start + *o.timeout_ms - now);
    if (o.cancel_at_ms && !term_sent) wait_ms = std::min(wait_ms, *o.cancel_at_ms - now);
    if (term_sent) wait_ms = std::min<int64_t>(wait_ms, 50);
    if (pidfd < 0 && !exited) wait_ms = std::min<int64_t>(wait_ms, 5);
    wait_ms = std::max<int64_t>(wait_ms, 0);

    struct pollfd pfds[4];
    int n = 0;
    int idx_of[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) {
        pfds[n] = {fds[i], POLLIN, 0};
        idx_of[n++] = i;
      }
    }
    if (pidfd >= 0 && !exited) {
      pfds[n] = {pidfd, POLLIN, 0};
      idx_of[n++] = 2;
    }
    if (cancel_fd >= 0 && !term_sent) {
      pfds[n] = {cancel_fd, POLLIN, 0};
      idx_of[n++] = 3;
    }
    int pr = poll(pfds, static_cast<nfds_t>(n), static_cast<int>(wait_ms));
    if (pr < 0 && errno != EINTR) {
      failure = ErrnoError("poll failed", "", errno);
      continue;
    }
    for (int k = 0; k < n && pr > 0; ++k) {
      int i = idx_of[k];
      if (i > 1 || pfds[k].revents == 0) continue;
      ssize_t r = read(fds[i], buf.data(), buf.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        splitters[i].Flush(static_cast<OutputStream>(i), o);
        CloseFd(&fds[i]);
        continue;
      }
      std::string_view chunk(buf.data(), static_cast<size_t>(r));
      OutputStream s = static_cast<OutputStream>(i);
      if (failure.ok()) failure = spools[i]->Append(chunk);
      if (failure.ok() && o.on_chunk) failure = o.on_chunk(s, chunk);
      splitters[i].Feed(s, chunk, o);
    }
  }
  for (int i = 0; i < 2; ++i) CloseFd(&fds[i]);
  if (!exited) {
    killpg(pid, SIGKILL);
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
  if (pidfd >= 0) close(pidfd);
  if (!failure.ok()) return failure;

  result.duration_ms = MonotonicMillis() - start;
  if (result.timed_out || result.cancelled) {
    result.exit_code = -1;
    result.duration_ms = 0;
    result.error_message = result.timed_out
                               ? "Command timed out after " + std::to_string(*o.timeout_ms) + "ms"
                               : "aborted";
  } else if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.exit_code = 128 + WTERMSIG(wstatus);
  }
  return result;
}

}  // namespace fen::models
