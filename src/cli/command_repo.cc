// OpenCommandRepo (command_registry.h).
#include "cli/command_registry.h"

namespace fen::cli {

Result<RepoContext> OpenCommandRepo(CommandContext& ctx) {
  RepoOpenOptions options;
  options.repo_dir_flag = ctx.global.repo_dir;
  options.datastore_flag = ctx.global.datastore;
  FEN_ASSIGN_OR_RETURN(RepoContext repo, OpenRepo(ctx.env, options));
  ApplyRepoLogLevel(ctx, repo.log_level);
  return repo;
}

}  // namespace fen::cli
