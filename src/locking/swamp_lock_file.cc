// swamp-format lock files. See src/locking/swamp_lock_file.h; rules: locking.md §6.10.1-§6.10.4.
#include "locking/swamp_lock_file.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "fen/base/clock.h"
#include "fen/base/uuid.h"
#include "locking/proc_stat.h"

namespace fen::locking {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

Status WriteTemp(Env* env, const std::string& tmp, const std::string& content) {
  FEN_ASSIGN_OR_RETURN(auto file, env->NewExclusiveFile(tmp));
  Status s = file->Append(content);
  if (s.ok()) s = file->Close();
  if (!s.ok()) env->Unlink(tmp).ok();
  return s;
}

// A zombie has exited (its kernel locks are gone) and will never renew its file.
bool IsZombie(int64_t pid) {
  auto st = ReadProcStat(pid);
  return st && (st->state == 'Z' || st->state == 'X');
}

}  // namespace

const char* SwampFileStateName(SwampFileState state) {
  switch (state) {
    case SwampFileState::kAbsent:
      return "absent";
    case SwampFileState::kLive:
      return "live";
    case SwampFileState::kStale:
      return "stale";
    case SwampFileState::kInvalid:
      return "invalid";
    case SwampFileState::kAbandoned:
      return "abandoned";
    case SwampFileState::kUnreadable:
      return "unreadable";
  }
  return "unknown";
}

std::optional<SwampLockInfo> ParseSwampLockInfo(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!j.is_object()) return std::nullopt;
  SwampLockInfo info;
  auto holder = j.find("holder");
  auto pid = j.find("pid");
  auto at = j.find("acquiredAt");
  auto ttl = j.find("ttlMs");
  if (holder == j.end() || !holder->is_string()) return std::nullopt;
  if (pid == j.end() || !pid->is_number_integer()) return std::nullopt;
  if (at == j.end() || !at->is_string()) return std::nullopt;
  if (ttl == j.end() || !ttl->is_number()) return std::nullopt;
  info.holder = holder->get<std::string>();
  info.pid = pid->get<int64_t>();
  info.acquired_at = at->get<std::string>();
  double ttl_value = ttl->get<double>();
  if (info.pid <= 0 || !(ttl_value > 0) || !ParseIsoMillis(info.acquired_at)) return std::nullopt;
  info.ttl_ms = static_cast<int64_t>(std::min(ttl_value, 1e15));
  if (auto h = j.find("hostname"); h != j.end() && h->is_string()) {
    info.hostname = h->get<std::string>();
  }
  if (auto n = j.find("nonce"); n != j.end() && n->is_string()) info.nonce = n->get<std::string>();
  info.raw = std::move(j);
  return info;
}

std::string SwampLockInfoText(const std::string& holder, const std::string& hostname, int64_t pid,
                              const std::string& acquired_at, const std::string& nonce) {
  Json j = Json::object();
  j["holder"] = holder;
  j["hostname"] = hostname;
  j["pid"] = pid;
  j["acquiredAt"] = acquired_at;
  j["ttlMs"] = kSwampTtlMs;
  j["nonce"] = nonce;
  return ToPrettyJson(j);
}

Result<int64_t> CtimeAgeMs(Env* env, const std::string& path, int64_t file_ctime_ns) {
  std::string probe = DirOf(path) + "/.fen-probe-" + NewUuidV4();
  FEN_RETURN_IF_ERROR(WriteTemp(env, probe, ""));
  auto st = env->Lstat(probe);
  env->Unlink(probe).ok();
  if (!st.ok()) return st.status();
  return (st->ctime_ns - file_ctime_ns) / 1000000;
}

Result<ClassifiedFile> ClassifySwampFile(Env* env, const std::string& path,
                                         const ClassifyOptions& options) {
  ClassifiedFile c;
  std::optional<SwampLockInfo> info;
  FileInfo st;
  // A swamp heartbeat truncates then writes: re-read an empty/partial file a few times.
  for (int attempt = 0; attempt < 6; ++attempt) {
    auto stat = env->Lstat(path);
    if (!stat.ok()) {
      if (stat.status().IsNotFound()) return c;  // absent
      c.state = SwampFileState::kUnreadable;
      c.error = stat.status().message();
      return c;
    }
    st = *stat;
    auto text = env->ReadFile(path);
    if (!text.ok()) {
      if (text.status().IsNotFound()) return c;
      c.state = SwampFileState::kUnreadable;
      c.error = text.status().message();
      return c;
    }
    info = ParseSwampLockInfo(*text);
    if (info) break;
    if (attempt < 5) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  c.dev = st.dev;
  c.ino = st.ino;
  auto age = CtimeAgeMs(env, path, st.ctime_ns);
  if (!age.ok()) {
    c.state = SwampFileState::kUnreadable;
    c.error = age.status().message();
    return c;
  }
  c.age_ms = *age;
  if (!info) {
    c.state =
        c.age_ms >= options.quarantine_ms ? SwampFileState::kAbandoned : SwampFileState::kInvalid;
    return c;
  }
  bool dead_local = false;
  if (info->hostname == options.local_hostname) {
    // Signal 0 only, never SIGCONT, never a pid <= 0 (guaranteed by the parser) (C24).
    dead_local =
        (kill(static_cast<pid_t>(info->pid), 0) != 0 && errno == ESRCH) || IsZombie(info->pid);
  }
  int64_t ttl = std::clamp<int64_t>(info->ttl_ms, 5000, 300000);
  c.state = (dead_local || c.age_ms > ttl) ? SwampFileState::kStale : SwampFileState::kLive;
  c.info = std::move(info);
  return c;
}

Result<bool> CreateSwampFile(Env* env, const std::string& path, const std::string& content) {
  std::string dir = DirOf(path);
  // A concurrent recursive delete of the data tree (data delete, gc) can remove the directory
  // between any two steps; retry instead of failing (§7.1 #19).
  constexpr int kAttempts = 100;
  for (int attempt = 0;; ++attempt) {
    Status dirs = CreateDirs(env, dir, nullptr);
    if (!dirs.ok()) {
      if (dirs.IsNotFound() && attempt < kAttempts) continue;
      return dirs;
    }
    std::string tmp = dir + "/.fen-legacy-" + NewUuidV4() + ".tmp";
    Status w = WriteTemp(env, tmp, content);
    if (!w.ok()) {
      if (w.IsNotFound() && attempt < kAttempts) continue;  // directory removed concurrently
      // Name the lock file, not our temp file (e.g. ENOSPC, locking.md §7.1 #18).
      return Status(
          w.code(),
          "cannot create lock file " + path + ": " +
              (w.sys_errno() != 0 ? std::string(std::strerror(w.sys_errno())) : w.message()),
          w.sys_errno());
    }
    Status l = env->Link(tmp, path);
    env->Unlink(tmp).ok();
    if (l.ok()) return true;
    if (l.sys_errno() == EEXIST) return false;
    if (l.IsNotFound() && attempt < kAttempts) continue;
    if (l.sys_errno() == EPERM || l.sys_errno() == EOPNOTSUPP) {
      // No hard links on this filesystem: swamp's O_CREAT|O_EXCL + single write.
      auto f = env->NewExclusiveFile(path);
      if (!f.ok()) {
        if (f.status().sys_errno() == EEXIST) return false;
        return f.status();
      }
      Status s = (*f)->Append(content);
      if (s.ok()) s = (*f)->Close();
      if (!s.ok()) {
        env->Unlink(path).ok();
        return s;
      }
      return true;
    }
    return l;
  }
}

Result<bool> RewriteSwampFileIfOurs(Env* env, const std::string& path, const std::string& nonce,
                                    const std::string& content) {
  auto text = env->ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return false;
    return text.status();
  }
  auto info = ParseSwampLockInfo(*text);
  if (!info || info->nonce != nonce) return false;
  std::string tmp = DirOf(path) + "/.fen-legacy-" + NewUuidV4() + ".tmp";
  FEN_RETURN_IF_ERROR(WriteTemp(env, tmp, content));
  Status r = env->Rename(tmp, path);
  if (!r.ok()) env->Unlink(tmp).ok();
  FEN_RETURN_IF_ERROR(r);
  return true;
}

Result<bool> DeleteSwampFileIfOurs(Env* env, const std::string& path, const std::string& nonce) {
  auto text = env->ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return false;
    return text.status();
  }
  auto info = ParseSwampLockInfo(*text);
  if (!info || info->nonce != nonce) return false;
  Status s = env->Unlink(path);
  if (!s.ok() && !s.IsNotFound()) return s;
  return true;
}

Result<ReapOutcome> ReapSwampFile(Env* env, const std::string& path, uint64_t dev, uint64_t ino) {
  std::string moved = DirOf(path) + "/.fen-reap-" + NewUuidV4();
  Status r = env->Rename(path, moved);
  if (!r.ok()) {
    if (r.IsNotFound()) return ReapOutcome::kGone;
    return r;
  }
  auto st = env->Lstat(moved);
  if (st.ok() && st->dev == dev && st->ino == ino) {
    env->Unlink(moved).ok();
    return ReapOutcome::kReaped;
  }
  // Someone replaced the file between classification and rename: put it back.
  Status back = env->Link(moved, path);
  env->Unlink(moved).ok();
  if (!back.ok() && back.sys_errno() != EEXIST) return back;
  return ReapOutcome::kChanged;
}

}  // namespace fen::locking
