// OpenRepo: repo discovery and datastore resolution. See include/fen/repo/repo_context.h and
// docs/design/repo.md (§1 discovery, §4 datastore resolution).
#include "fen/repo/repo_context.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "fen/repo/datastore_config.h"
#include "fen/repo/marker.h"

namespace fen {
namespace {

// docs/design/repo.md §1: the cwd plus at most 9 ancestors.
constexpr int kMaxSearchDirs = 10;

std::string GetEnv(const RepoOpenOptions& o, const std::string& name) {
  if (o.env_override != nullptr) {
    auto it = o.env_override->find(name);
    return it == o.env_override->end() ? std::string() : it->second;
  }
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

std::string Absolute(const std::string& path, const std::string& cwd) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(cwd) / p;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string Parent(const std::string& dir) {
  if (dir == "/") return dir;
  std::string p = std::filesystem::path(dir).parent_path().string();
  return p.empty() ? "/" : p;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

bool IsRegularFile(Env* env, const std::string& path) {
  auto st = env->Stat(path);
  return st.ok() && st->type == FileType::kRegular;
}

bool Exists(Env* env, const std::string& path) { return env->Lstat(path).ok(); }

std::string ProcessCwd() {
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  return ec ? std::string("/") : cwd;
}

Status NotInitialized(Env* env, const std::string& repo) {
  auto st = env->Stat(Join(repo, ".swamp"));
  if (st.ok() && st->type == FileType::kDirectory) {
    // The first sentence is swamp's; the rest is fen's (docs/design/repo.md §1).
    return Status(ErrorCode::kNotInitialized,
                  "Found a .swamp/ directory at " + repo +
                      " but no .swamp.yaml marker — the repository appears partially "
                      "initialized or corrupted. Restore .swamp.yaml from version control, or "
                      "run 'swamp repo init' in that directory to write a new marker (existing "
                      "data is kept).");
  }
  return Status(ErrorCode::kNotInitialized,
                "Not a swamp repository: " + repo +
                    ". To initialize a new repository, run 'swamp repo init', or specify an "
                    "existing repository with 'swamp <command> --repo-dir /path/to/repo'.");
}

}  // namespace

std::string DiscoverRepoDir(Env* env, const RepoOpenOptions& options) {
  std::string cwd = options.cwd.empty() ? ProcessCwd() : Absolute(options.cwd, "/");
  if (!options.repo_dir_flag.empty()) return Absolute(options.repo_dir_flag, cwd);
  if (std::string e = GetEnv(options, "SWAMP_REPO_DIR"); !e.empty()) return Absolute(e, cwd);
  // git reports its top-level as a real path, so the search walks the real cwd.
  std::string dir = cwd;
  if (auto real = env->RealPath(cwd); real.ok()) dir = *real;
  for (int checked = 0; checked < kMaxSearchDirs; ++checked) {
    if (IsRegularFile(env, Join(dir, kMarkerFileName))) return dir;
    if (Exists(env, Join(dir, ".git"))) break;  // the git top-level: stop after checking it
    if (dir == "/") break;
    dir = Parent(dir);
  }
  return cwd;
}

Status CheckDatastoreAccessible(Env* env, const std::string& datastore_root) {
  auto st = env->Stat(datastore_root);
  if (st.ok()) {
    if (st->type != FileType::kDirectory) {
      return Status(ErrorCode::kDatastoreUnavailable,
                    "Datastore path is not a directory: " + datastore_root);
    }
    return Status::Ok();
  }
  if (st.status().IsNotFound()) return Status::Ok();  // created lazily by the first write
  int err = st.status().sys_errno();
  return Status(ErrorCode::kDatastoreUnavailable,
                "Cannot access datastore at " + datastore_root + ": " +
                    (err != 0 ? std::string(std::strerror(err)) : st.status().message()),
                err);
}

Result<RepoContext> ResolveRepo(Env* env, const RepoOpenOptions& options) {
  std::string cwd = options.cwd.empty() ? ProcessCwd() : Absolute(options.cwd, "/");
  const std::string repo = DiscoverRepoDir(env, options);
  const std::string marker_path = Join(repo, kMarkerFileName);
  if (!IsRegularFile(env, marker_path)) return NotInitialized(env, repo);
  FEN_ASSIGN_OR_RETURN(Marker marker, Marker::Load(env, marker_path));

  // Datastore: SWAMP_DATASTORE, --datastore, .swamp.yaml, default (docs/design/repo.md §4).
  RepoContext ctx;
  ctx.repo_dir = repo;
  DatastoreConfig ds;
  if (std::string e = GetEnv(options, "SWAMP_DATASTORE"); !e.empty()) {
    FEN_ASSIGN_OR_RETURN(ds, ParseDatastoreString(e, cwd, "SWAMP_DATASTORE"));
    ctx.datastore_source = "env";
  } else if (!options.datastore_flag.empty()) {
    FEN_ASSIGN_OR_RETURN(ds, ParseDatastoreString(options.datastore_flag, cwd, "--datastore"));
    ctx.datastore_source = "flag";
  } else {
    FEN_ASSIGN_OR_RETURN(ds, ParseDatastoreConfig(marker.datastore(), repo, marker_path));
    ctx.datastore_source = marker.datastore().is_null() ? "default" : "config";
  }
  if (ctx.datastore_source == "env" || ctx.datastore_source == "flag") {
    // An override replaces the location; the namespace is the repo's own (from .swamp.yaml)
    // unless the override names one.
    if (!ds.has_ns) {
      auto configured = ParseDatastoreConfig(marker.datastore(), repo, marker_path);
      if (configured.ok()) ds.ns = configured->ns;
    }
  }
  ctx.datastore_type = ds.type;
  ctx.datastore_root = ds.path;
  ctx.ns = ds.ns;
  const std::string ns_root = ds.ns.empty() ? ds.path : Join(ds.path, ds.ns);
  // storage.md §2 tier rule: `directories` without `data` keeps data local, never namespaced.
  ctx.data_root = ds.data_in_tier ? Join(ns_root, "data") : Join(Join(repo, ".swamp"), "data");
  ctx.fen_dir = Join(Parent(ctx.data_root), ".fen");
  ctx.outputs_dir = Join(ns_root, "outputs");
  ctx.models_dir = Join(repo, "models");
  ctx.auto_gc = marker.auto_gc();
  ctx.log_level = marker.log_level();
  return ctx;
}

Result<RepoContext> OpenRepo(Env* env, const RepoOpenOptions& options) {
  FEN_ASSIGN_OR_RETURN(RepoContext ctx, ResolveRepo(env, options));
  FEN_RETURN_IF_ERROR(CheckDatastoreAccessible(env, ctx.datastore_root));
  return ctx;
}

}  // namespace fen
