// `fen repo init [path] [-f|--force] [-t|--tool NAME ...]` and its alias `fen init`
// (shared/spec/cli.md §2.3; output formats in docs/design/cli.md §5).
#include <memory>

#include "cli/command_registry.h"
#include "fen/repo/repo_init.h"

namespace fen::cli {
namespace {

struct InitArgs {
  std::string path = ".";
  bool force = false;
  std::vector<std::string> tools;
};

Json InitJson(const RepoInitResult& r) {
  Json j = Json::object();
  j["path"] = r.path;
  j["version"] = r.version;
  j["initializedAt"] = r.initialized_at;
  j["skillsCopied"] = Json::array();
  j["instructionsFileCreated"] = false;
  j["settingsCreated"] = false;
  j["gitignoreAction"] = r.gitignore_action;
  j["tools"] = r.tools;
  j["removedTools"] = r.removed_tools;
  if (r.tools.empty()) {
    j["tool"] = "none";
  } else if (r.tools.size() == 1) {
    j["tool"] = r.tools.front();
  } else {
    j["tool"] = nullptr;
  }
  j["nextSteps"] = Json::array({"Run `swamp --help` to see available commands",
                                "Join & participate in the community: swamp auth login"});
  return j;
}

void RenderText(Output& out, const RepoInitResult& r) {
  std::string tools;
  for (const auto& t : r.tools) tools += (tools.empty() ? "" : ", ") + t;
  out.Line("Initialized swamp repository at " + r.path +
           " (tools: " + (tools.empty() ? "none" : tools) + ")");
  out.Line(".gitignore: " + r.gitignore_action);
  if (!r.removed_tools.empty()) {
    std::string removed;
    for (const auto& t : r.removed_tools) removed += (removed.empty() ? "" : ", ") + t;
    out.Line("Removed tools: " + removed);
  }
  out.Line("What's next:");
  out.Line("  - Run `fen --help` to see available commands");
}

void AddInitCommand(CommandRegistry& registry, CLI::App* parent, const std::string& name,
                    const std::string& description) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = registry.Command(parent, name, description, [args](CommandContext& ctx) {
    RepoInitOptions options;
    options.path = args->path;
    options.force = args->force;
    options.tools = args->tools;
    auto result = InitRepo(ctx.env, options);
    if (!result.ok()) return result.status();
    if (ctx.out.json()) {
      ctx.out.Document(InitJson(*result));
    } else {
      RenderText(ctx.out, *result);
    }
    return Status::Ok();
  });
  cmd->add_option("path", args->path, "Directory to initialize (default: the current directory)");
  cmd->add_flag("-f,--force", args->force, "Reinitialize: write a brand-new .swamp.yaml");
  cmd->add_option("-t,--tool", args->tools,
                  "AI tool to enroll (repeatable; default none; fen writes no tool files)")
      ->allow_extra_args(false);
}

}  // namespace

void RegisterRepoCommands(CommandRegistry& registry) {
  CLI::App* repo = registry.Group(nullptr, "repo", "Repository commands");
  AddInitCommand(registry, repo, "init", "Initialize a swamp repository");
  AddInitCommand(registry, nullptr, "init", "Initialize a swamp repository (alias of repo init)");
}

}  // namespace fen::cli
