// OpenRepo: repo discovery and datastore resolution. See include/fen/repo/repo_context.h.
// (Minimal first version: discovery and the default datastore; `.swamp.yaml` datastore
// configuration is resolved by the repo component.)
#include "fen/repo/repo_context.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace fen {
namespace {

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
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool IsRegularFile(Env* env, const std::string& path) {
  auto st = env->Stat(path);
  return st.ok() && st->type == FileType::kRegular;
}

}  // namespace

Result<RepoContext> OpenRepo(Env* env, const RepoOpenOptions& options) {
  std::string cwd = options.cwd;
  if (cwd.empty()) cwd = std::filesystem::current_path().string();
  std::string repo;
  if (!options.repo_dir_flag.empty()) {
    repo = Absolute(options.repo_dir_flag, cwd);
  } else if (std::string e = GetEnv(options, "SWAMP_REPO_DIR"); !e.empty()) {
    repo = Absolute(e, cwd);
  } else {
    std::string dir = Absolute(cwd, "/");
    repo = dir;
    for (int level = 0; level <= 10; ++level) {
      if (IsRegularFile(env, dir + "/.swamp.yaml")) {
        repo = dir;
        break;
      }
      if (dir == "/") break;
      dir = std::filesystem::path(dir).parent_path().string();
    }
  }
  if (!IsRegularFile(env, repo + "/.swamp.yaml")) {
    auto st = env->Stat(repo + "/.swamp");
    if (st.ok() && st->type == FileType::kDirectory) {
      return Status(ErrorCode::kNotInitialized,
                    "Found a .swamp/ directory at " + repo +
                        " but no .swamp.yaml marker — the repository appears partially "
                        "initialized or corrupted.");
    }
    return Status(ErrorCode::kNotInitialized,
                  "Not a swamp repository: " + repo +
                      ". To initialize a new repository, run 'swamp repo init', or specify an "
                      "existing repository with 'swamp <command> --repo-dir /path/to/repo'.");
  }
  RepoContext ctx;
  ctx.repo_dir = repo;
  ctx.datastore_type = "filesystem";
  ctx.datastore_root = repo + "/.swamp";
  ctx.datastore_source = "default";
  ctx.data_root = ctx.datastore_root + "/data";
  ctx.fen_dir = ctx.datastore_root + "/.fen";
  ctx.outputs_dir = ctx.datastore_root + "/outputs";
  ctx.models_dir = repo + "/models";
  return ctx;
}

}  // namespace fen
