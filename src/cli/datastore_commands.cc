// `fen datastore status [--json]` (docs/design/repo.md §5). `datastore lock ...` lives in
// src/cli/lock_commands.cc under the same group (CommandRegistry::Group returns it).
#include <cstdio>

#include "cli/command_registry.h"
#include "fen/repo/datastore_health.h"
#include "fen/repo/repo_context.h"

namespace fen::cli {
namespace {

RepoOpenOptions RepoOptions(const CommandContext& ctx) {
  RepoOpenOptions o;
  o.repo_dir_flag = ctx.global.repo_dir;
  o.datastore_flag = ctx.global.datastore;
  return o;
}

Status DatastoreStatus(CommandContext& ctx) {
  // An unhealthy datastore is reported, not failed (exit 0); a missing repo or a bad
  // configuration is an error.
  FEN_ASSIGN_OR_RETURN(RepoContext repo, ResolveRepo(ctx.env, RepoOptions(ctx)));
  ApplyRepoLogLevel(ctx, repo.log_level);
  DatastoreHealth h = ProbeDatastore(ctx.env, repo.datastore_root);
  if (ctx.out.json()) {
    Json j = Json::object();
    j["type"] = repo.datastore_type;
    j["path"] = repo.datastore_root;
    j["source"] = repo.datastore_source;
    j["namespace"] = repo.ns.empty() ? Json(nullptr) : Json(repo.ns);
    j["repoDir"] = repo.repo_dir;
    j["dataRoot"] = repo.data_root;
    j["healthy"] = h.healthy;
    Json health = Json::object();
    health["exists"] = h.exists;
    health["isDirectory"] = h.is_directory;
    health["writable"] = h.writable;
    health["latencyMs"] = h.latency_ms.has_value() ? Json(*h.latency_ms) : Json(nullptr);
    if (!h.error.empty()) health["error"] = h.error;
    j["health"] = health;
    ctx.out.Document(j);
    return Status::Ok();
  }
  ctx.out.Line("Datastore: " + repo.datastore_type + " " + repo.datastore_root +
               " (source: " + repo.datastore_source + ")");
  ctx.out.Line("Namespace: " + (repo.ns.empty() ? std::string("(none)") : repo.ns));
  ctx.out.Line("Data root: " + repo.data_root);
  if (h.healthy) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", *h.latency_ms);
    ctx.out.Line(std::string("Health: healthy (write probe ") + buf + " ms)");
  } else {
    ctx.out.Line("Health: unhealthy: " + h.error);
  }
  return Status::Ok();
}

}  // namespace

void RegisterDatastoreCommands(CommandRegistry& registry) {
  CLI::App* ds = registry.Group(nullptr, "datastore", "Datastore commands");
  registry.Command(ds, "status", "Show where the datastore is and whether it is usable",
                   DatastoreStatus);
}

}  // namespace fen::cli
