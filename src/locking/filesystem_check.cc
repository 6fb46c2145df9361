// Network filesystem detection. See src/locking/filesystem_check.h.
#include "locking/filesystem_check.h"

#include <sys/vfs.h>

#include <cerrno>

#include "fen/env/env.h"

namespace fen::locking {
namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Splits on `sep`, dropping empty pieces.
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool HasOption(const std::string& options, const std::string& want) {
  for (std::string_view opt : Split(options, ',')) {
    if (opt == want) return true;
  }
  return false;
}

bool UnderMount(const std::string& path, const std::string& mp) {
  if (mp == "/") return !path.empty() && path[0] == '/';
  return path == mp ||
         (path.size() > mp.size() && path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/');
}

}  // namespace

std::vector<MountEntry> ParseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string> fields;
    for (std::string_view w : Split(line, ' ')) fields.emplace_back(w);
    // id parent maj:min root mount_point mount_options [optional...] - fstype source super
    size_t dash = 0;
    for (size_t i = 6; i < fields.size(); ++i) {
      if (fields[i] == "-") {
        dash = i;
        break;
      }
    }
    if (dash == 0 || dash + 3 > fields.size()) continue;
    MountEntry e;
    e.mount_point = Unescape(fields[4]);
    e.mount_options = fields[5];
    e.fstype = fields[dash + 1];
    e.source = Unescape(fields[dash + 2]);
    e.super_options = dash + 3 < fields.size() ? fields[dash + 3] : "";
    out.push_back(std::move(e));
  }
  return out;
}

const MountEntry* FindMount(const std::vector<MountEntry>& mounts, const std::string& path) {
  const MountEntry* best = nullptr;
  for (const MountEntry& m : mounts) {
    if (!UnderMount(path, m.mount_point)) continue;
    if (best == nullptr || m.mount_point.size() >= best->mount_point.size()) best = &m;
  }
  return best;
}

Status EvaluateLockFilesystem(uint64_t f_type, const MountEntry* mount, bool single_host,
                              std::string* warning) {
  warning->clear();
  if (f_type == kNfsMagic) {
    if (single_host || mount == nullptr) return Status::Ok();
    for (const char* opt : {"nolock", "local_lock=posix", "local_lock=all"}) {
      if (HasOption(mount->super_options, opt) || HasOption(mount->mount_options, opt)) {
        return Status(ErrorCode::kLockUnsupportedFilesystem,
                      "Locks on the NFS mount " + mount->mount_point + " (" + mount->source +
                          ") are local to this host (mount option \"" + opt +
                          "\"), so fen cannot exclude other hosts; remount with shared locks, "
                          "or set FEN_SINGLE_HOST=1 if only this host uses the datastore.");
      }
    }
    return Status::Ok();
  }
  const char* kind = nullptr;
  if (f_type == kSmb2Magic || f_type == kCifsMagic)
    kind = "SMB/CIFS";
  else if (f_type == kFuseMagic)
    kind = "FUSE";
  else if (f_type == kV9fsMagic)
    kind = "9P";
  if (kind != nullptr && !single_host) {
    *warning = std::string("The datastore is on a ") + kind + " filesystem" +
               (mount ? " (" + mount->mount_point + ")" : std::string()) +
               ", which may not share locks across hosts; set FEN_SINGLE_HOST=1 if only this "
               "host uses it.";
  }
  return Status::Ok();
}

Status CheckLockFilesystem(const std::string& path, bool single_host, std::string* warning) {
  std::string p = path;
  struct statfs sfs;
  while (statfs(p.c_str(), &sfs) != 0) {
    if (errno != ENOENT) return Status::Ok();  // no verdict possible; the lock call decides
    size_t slash = p.rfind('/');
    if (slash == std::string::npos || p == "/") return Status::Ok();
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  uint64_t type = static_cast<uint64_t>(sfs.f_type) & 0xFFFFFFFFu;
  std::vector<MountEntry> mounts;
  if (type == kNfsMagic || type == kSmb2Magic || type == kCifsMagic || type == kFuseMagic ||
      type == kV9fsMagic) {
    auto text = Env::Default()->ReadFile("/proc/self/mountinfo");
    if (text.ok()) mounts = ParseMountInfo(*text);
  }
  return EvaluateLockFilesystem(type, FindMount(mounts, p), single_host, warning);
}

}  // namespace fen::locking
