// CommandRegistry: the single command tree of the fen CLI (CLI11 underneath).
//
// Every command group registers itself through this class (src/cli/*_commands.cc). The parser,
// `--help`, unknown-command suggestions and `fen completions` all walk the same CLI11 tree, so
// they cannot drift apart. Handlers are plain functions of CommandContext returning Status;
// they call libfen and render through Output. Single-threaded; one registry per process run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>

#include "cli/output.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"

namespace fen::cli {

// Flags accepted on every command, anywhere in argv (cli.md §9.1).
struct GlobalOptions {
  bool json = false;
  bool log = false;
  bool quiet = false;
  bool verbose = false;
  bool no_color = false;
  bool no_telemetry = false;
  bool show_properties = false;
  std::string log_level;
  std::string repo_dir;
  std::string datastore;
};

struct CommandContext {
  GlobalOptions& global;
  Output& out;
  Env* env;
  // The registry's root, for commands that describe the tree itself (completions).
  CLI::App* root;
};

using Handler = std::function<Status(CommandContext&)>;

// cli.md §9.1: the repo's `.swamp.yaml` `logLevel` applies when neither a flag (`--quiet`,
// `--log-level`, `--verbose`) nor SWAMP_LOG_LEVEL chose the level (implemented in app.cc
// beside the rest of the log-level rule).
void ApplyRepoLogLevel(CommandContext& ctx, const std::string& repo_log_level);

// Opens the repo named by the global flags (`--repo-dir`, `--datastore`; repo_context.h) and
// applies its `logLevel`. Every command that works on a repo opens it through this.
Result<RepoContext> OpenCommandRepo(CommandContext& ctx);

class CommandRegistry {
 public:
  explicit CommandRegistry(CLI::App* root) : root_(root) {}

  CLI::App* root() const { return root_; }
  // A command group (`fen data`, `fen model output`). Returns the existing group when two
  // files contribute commands to the same group.
  CLI::App* Group(CLI::App* parent, const std::string& name, const std::string& description);
  // A leaf command with its handler. Options and positionals are added by the caller on the
  // returned app, bound to storage the handler lambda owns (std::shared_ptr).
  CLI::App* Command(CLI::App* parent, const std::string& name, const std::string& description,
                    Handler handler);

  const Handler* HandlerFor(const CLI::App* app) const;

 private:
  CLI::App* root_;
  std::map<const CLI::App*, Handler> handlers_;
};

// Registration entry points, one per command group file (src/cli/<group>_commands.cc).
void RegisterVersionCommand(CommandRegistry& registry);
void RegisterCompletionsCommand(CommandRegistry& registry);
void RegisterRepoCommands(CommandRegistry& registry);
void RegisterDatastoreCommands(CommandRegistry& registry);
void RegisterLockCommands(CommandRegistry& registry);
void RegisterDataCommands(CommandRegistry& registry);
void RegisterModelCommands(CommandRegistry& registry);
void RegisterDoctorCommands(CommandRegistry& registry);

}  // namespace fen::cli
