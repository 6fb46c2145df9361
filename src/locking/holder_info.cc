// Holder info files. See src/locking/holder_info.h and docs/design/locking.md §5.
#include "locking/holder_info.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace fen::locking {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Characters allowed in an info file name component; anything else becomes '_'.
std::string FileNameSafe(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

ProcessIdentity Compute() {
  ProcessIdentity id;
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) == 0) id.hostname = host;
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') user = std::getenv("USERNAME");
  id.holder = std::string(user != nullptr && *user != '\0' ? user : "unknown") + "@" + id.hostname;
  id.pid = static_cast<int>(getpid());
  auto boot = Env::Default()->ReadFile("/proc/sys/kernel/random/boot_id");
  id.boot_id = boot.ok() ? Trim(*boot) : "unknown";
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) == 0) id.pid_namespace = st.st_ino;
  return id;
}

}  // namespace

const ProcessIdentity& ProcessIdentity::Current() {
  static std::mutex mu;
  static ProcessIdentity* cached = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (cached == nullptr || cached->pid != static_cast<int>(getpid())) {
    delete cached;
    cached = new ProcessIdentity(Compute());
  }
  return *cached;
}

Result<InfoFile> WriteInfoFile(Env* env, const std::string& dir, const std::string& nonce,
                               const Json& info) {
  FEN_RETURN_IF_ERROR(CreateDirs(env, dir, nullptr));
  const ProcessIdentity& me = ProcessIdentity::Current();
  std::string name = FileNameSafe(me.hostname) + "-" + FileNameSafe(me.boot_id) + "-" +
                     std::to_string(me.pid) + "-" + nonce + ".json";
  std::string final_path = dir + "/" + name;
  std::string tmp_path = dir + "/.tmp-" + nonce;
  // Raw descriptors: the presence lock needs the descriptor, which Env does not expose
  // (docs/design/locking.md §5).
  int fd = ::open(tmp_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("cannot create lock info file", tmp_path, errno);
  OfdLock presence = OfdLock::Adopt(fd, final_path);
  auto fail = [&](const char* what) {
    int err = errno;
    env->Unlink(tmp_path).ok();
    return ErrnoError(what, tmp_path, err);
  };
  FEN_ASSIGN_OR_RETURN(bool locked, presence.TryLock(LockMode::kExclusive));
  if (!locked) return fail("cannot lock lock info file");
  std::string text = ToPrettyJson(info);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write lock info file");
    off += static_cast<size_t>(n);
  }
  // No fsync, deliberately (docs/design/locking.md §5): an info file means something only
  // while its presence lock is held, and no presence lock survives a crash, so durability buys
  // nothing; the two fsyncs per writer acquisition cost ~7 ms here (docs/performance.md).
  Status renamed = env->Rename(tmp_path, final_path);
  if (!renamed.ok()) {
    env->Unlink(tmp_path).ok();
    return renamed;
  }
  return InfoFile{final_path, std::move(presence)};
}

void RemoveInfoFile(Env* env, InfoFile* file) {
  if (file == nullptr || file->path.empty()) return;
  env->Unlink(file->path).ok();  // best effort: a leftover is reported as stale, never held
  file->presence.Close();
  file->path.clear();
}

Result<std::vector<ObservedHolder>> ReadHolders(Env* env, const std::string& dir) {
  std::vector<ObservedHolder> out;
  auto entries = env->ListDir(dir);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return out;
    return entries.status();
  }
  for (const DirEntry& e : *entries) {
    if (e.name.empty() || e.name[0] == '.') continue;
    if (e.name.size() < 5 || e.name.compare(e.name.size() - 5, 5, ".json") != 0) continue;
    ObservedHolder h;
    h.path = dir + "/" + e.name;
    int fd = ::open(h.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // released meanwhile
      h.info = nullptr;
      h.live = true;  // unreadable: never assume the holder is gone (I5)
      out.push_back(std::move(h));
      continue;
    }
    OfdLock probe = OfdLock::Adopt(fd, h.path);
    auto conflict = probe.WouldConflict(LockMode::kShared);
    h.live = !conflict.ok() || *conflict;
    std::string text;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    try {
      h.info = Json::parse(text);
      if (!h.info.is_object()) h.info = nullptr;
    } catch (const std::exception&) {
      h.info = nullptr;
    }
    out.push_back(std::move(h));
  }
  return out;
}

const ObservedHolder* EarliestLive(const std::vector<ObservedHolder>& holders) {
  const ObservedHolder* best = nullptr;
  std::string best_at;
  for (const auto& h : holders) {
    if (!h.live || !h.info.is_object()) continue;
    std::string at = h.info.value("acquiredAt", std::string());
    if (best == nullptr || at < best_at) {
      best = &h;
      best_at = at;
    }
  }
  return best;
}

}  // namespace fen::locking
