// `repo init`. See include/fen/repo/repo_init.h and docs/design/repo.md §3.
#include "fen/repo/repo_init.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <set>

#include "fen/base/clock.h"
#include "fen/base/uuid.h"
#include "fen/env/durable_file.h"
#include "fen/repo/gitignore_section.h"
#include "fen/repo/marker.h"

namespace fen {
namespace {

// cli.md §2.3 steps 3 and 4, relative to the repo directory.
const std::vector<std::string>& SkeletonDirs() {
  static const std::vector<std::string> kDirs = {
      "models",
      "workflows",
      "vaults",
      "grants",
      ".swamp",
      ".swamp/data",
      ".swamp/outputs",
      ".swamp/workflow-runs",
      ".swamp/workflows-evaluated",
      ".swamp/definitions-evaluated",
      ".swamp/secrets",
      ".swamp/audit",
      ".swamp/vault-bundles",
  };
  return kDirs;
}

std::string JoinList(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

Status CannotInit(const std::string& repo, const std::string& why) {
  return Status(ErrorCode::kIoError, "Cannot initialize repository at " + repo + ": " + why);
}

// Everything that can be checked without changing the filesystem (docs/design/repo.md §3).
Status Preflight(Env* env, const std::string& repo) {
  // The nearest existing ancestor (or the repo dir itself) must be a writable directory.
  std::string probe = repo;
  while (true) {
    auto st = env->Stat(probe);
    if (st.ok()) {
      if (st->type != FileType::kDirectory) {
        return CannotInit(repo, probe + " is not a directory");
      }
      break;
    }
    // ENOTDIR: some ancestor is a file; keep walking up to name it.
    if (!st.status().IsNotFound() && st.status().sys_errno() != ENOTDIR) {
      return CannotInit(repo, st.status().message());
    }
    std::string parent = std::filesystem::path(probe).parent_path().string();
    if (parent.empty() || parent == probe) return CannotInit(repo, "no existing parent directory");
    probe = parent;
  }
  if (!env->Access(probe, W_OK | X_OK)) {
    return CannotInit(repo, "directory " + probe + " is not writable");
  }
  if (probe != repo) return Status::Ok();  // nothing below exists yet
  for (const auto& rel : SkeletonDirs()) {
    const std::string p = repo + "/" + rel;
    auto st = env->Stat(p);
    if (st.ok()) {
      if (st->type != FileType::kDirectory) return CannotInit(repo, p + " is not a directory");
      if (rel == ".swamp" && !env->Access(p, W_OK | X_OK)) {
        return CannotInit(repo, "directory " + p + " is not writable");
      }
    } else if (!st.status().IsNotFound()) {
      return CannotInit(repo, st.status().message());
    }
  }
  auto gi = env->Stat(repo + "/.gitignore");
  if (gi.ok() && gi->type != FileType::kRegular) {
    return CannotInit(repo, repo + "/.gitignore is not a regular file");
  }
  return Status::Ok();
}

// Undo for a failed init: remove what was created (innermost first), restore .gitignore.
class InitRollback {
 public:
  explicit InitRollback(Env* env) : env_(env) {}
  ~InitRollback() {
    if (committed_) return;
    if (gitignore_written_) {
      if (old_gitignore_.has_value()) {
        (void)WriteFileDurably(env_, gitignore_path_, *old_gitignore_);
      } else {
        (void)env_->Unlink(gitignore_path_);
      }
    }
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) (void)env_->RemoveDir(*it);
  }
  void AddCreated(const std::vector<std::string>& dirs) {
    created_.insert(created_.end(), dirs.begin(), dirs.end());
  }
  void GitignoreWritten(const std::string& path, std::optional<std::string> old) {
    gitignore_written_ = true;
    gitignore_path_ = path;
    old_gitignore_ = std::move(old);
  }
  void Commit() { committed_ = true; }

 private:
  Env* env_;
  bool committed_ = false;
  std::vector<std::string> created_;
  bool gitignore_written_ = false;
  std::string gitignore_path_;
  std::optional<std::string> old_gitignore_;
};

// mkdir -p `dir`, remembering what was created (for rollback and for the fsyncs below).
Status CreateTracked(Env* env, const std::string& dir, InitRollback& rollback,
                     std::vector<std::string>& created_all) {
  std::vector<std::string> created;
  Status s = CreateDirs(env, dir, &created);
  rollback.AddCreated(created);
  created_all.insert(created_all.end(), created.begin(), created.end());
  return s;
}

// storage.md §5.2: fsync the parent of every directory actually created, each parent once.
Status SyncParents(Env* env, const std::vector<std::string>& created) {
  std::set<std::string> parents;
  for (const auto& c : created) parents.insert(std::filesystem::path(c).parent_path().string());
  for (const auto& p : parents) FEN_RETURN_IF_ERROR(env->SyncDir(p));
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> NormalizeTools(const std::vector<std::string>& raw) {
  std::vector<std::string> tools;
  bool none = false;
  for (const auto& t : raw) {
    if (t.empty()) {
      return Status(ErrorCode::kInvalidArguments, "Invalid --tool value: the name is empty.");
    }
    if (t == "none") {
      none = true;
      continue;
    }
    if (std::find(tools.begin(), tools.end(), t) == tools.end()) tools.push_back(t);
  }
  if (none && !tools.empty()) {
    // The first sentence is swamp's; the rest is fen's (docs/design/repo.md §3).
    return Status(ErrorCode::kInvalidArguments,
                  "Cannot combine --tool none with other --tool values. Pass --tool none alone "
                  "to enroll no AI tools, or list only the tools to enroll (got: " +
                      JoinList(tools) + ", none).");
  }
  return tools;
}

Result<RepoInitResult> InitRepo(Env* env, const RepoInitOptions& options) {
  FEN_ASSIGN_OR_RETURN(std::vector<std::string> tools, NormalizeTools(options.tools));
  std::string cwd = options.cwd;
  if (cwd.empty()) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
    if (ec) return IoError("Cannot determine the current directory: " + ec.message());
  }
  std::filesystem::path p(options.path.empty() ? "." : options.path);
  if (p.is_relative()) p = std::filesystem::path(cwd) / p;
  std::string repo = p.lexically_normal().string();
  while (repo.size() > 1 && repo.back() == '/') repo.pop_back();
  const std::string marker_path = repo + "/" + kMarkerFileName;

  std::vector<std::string> previous_tools;
  if (env->Lstat(marker_path).ok()) {
    auto old = Marker::Load(env, marker_path);
    if (!options.force) {
      if (!old.ok()) return old.status();
      return Status(ErrorCode::kAlreadyExists,
                    "Repository already initialized at " + repo +
                        " (tools: " + JoinList(old->tools()) +
                        "). To change the enrolled tools, run: swamp repo upgrade --tool <tool>. "
                        "To reinitialize from scratch, run: swamp repo init --force --tool "
                        "<tool>");
    }
    if (old.ok()) previous_tools = old->tools();
  }
  FEN_RETURN_IF_ERROR(Preflight(env, repo));

  InitRollback rollback(env);
  std::vector<std::string> created;
  FEN_RETURN_IF_ERROR(CreateTracked(env, repo, rollback, created));
  for (const auto& rel : SkeletonDirs()) {
    FEN_RETURN_IF_ERROR(CreateTracked(env, repo + "/" + rel, rollback, created));
  }
  FEN_RETURN_IF_ERROR(SyncParents(env, created));  // durable before the marker names them

  const std::string gitignore_path = repo + "/.gitignore";
  std::optional<std::string> old_gitignore;
  if (auto text = env->ReadFile(gitignore_path); text.ok()) {
    old_gitignore = *text;
  } else if (!text.status().IsNotFound()) {
    return text.status();
  }
  GitignoreUpdate gi = ApplyManagedGitignore(old_gitignore, tools);
  if (gi.action != "unchanged") {
    FEN_RETURN_IF_ERROR(WriteFileDurably(env, gitignore_path, gi.content));
    rollback.GitignoreWritten(gitignore_path, old_gitignore);
  }

  RepoInitResult result;
  result.path = repo;
  result.version = kSwampFormatVersion;
  result.initialized_at = NowIsoMillis();
  result.gitignore_action = gi.action;
  result.tools = tools;
  for (const auto& t : previous_tools) {
    if (std::find(tools.begin(), tools.end(), t) == tools.end()) result.removed_tools.push_back(t);
  }
  Marker marker = Marker::Fresh(tools, result.initialized_at, NewUuidV4());
  FEN_RETURN_IF_ERROR(marker.Save(env, marker_path));  // last: the repo now exists
  rollback.Commit();
  return result;
}

}  // namespace fen
