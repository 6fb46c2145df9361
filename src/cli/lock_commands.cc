// `fen datastore lock status [--json]` and `fen datastore lock release --force [--model
// type/id]` (shared/spec/locking.md §4.8, §6.11). Thin: the logic is in
// include/fen/locking/lock_inspector.h.
#include <chrono>
#include <cmath>
#include <memory>

#include "cli/command_registry.h"
#include "fen/base/clock.h"
#include "fen/locking/lock_inspector.h"
#include "fen/locking/lock_layout.h"
#include "fen/repo/repo_context.h"

namespace fen::cli {
namespace {

Result<RepoContext> Repo(CommandContext& ctx) { return OpenCommandRepo(ctx); }

std::string Str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const Json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return v.dump();
}

// swamp's log-mode lines (§4.8) plus fen's Mode/State lines (§6.11).
void RenderStatus(Output& out, const Json& e) {
  bool corrupt = e.value("corrupt", false);
  bool stale = e.value("stale", false);
  if (!e.value("held", false) && !stale && !corrupt && !e.contains("info")) {
    out.Line("Lock Status: no lock held");
    return;
  }
  std::string scope = Str(e, "lockScope");
  out.Line("Lock Status: locked" + (scope.empty() ? "" : " [" + scope + "]"));
  if (e.contains("info")) {
    const Json& info = e["info"];
    out.Line("  Holder:   " + Str(info, "holder"));
    out.Line("  PID:      " + Str(info, "pid"));
    out.Line("  Hostname: " + Str(info, "hostname"));
    std::string at = Str(info, "acquiredAt");
    std::string age = "?";
    if (auto t = ParseIsoMillis(at)) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now() - *t)
                    .count();
      age = std::to_string(std::llround(static_cast<double>(ms) / 1000.0));
    }
    out.Line("  Acquired: " + at + " (" + age + "s ago)");
    if (info.contains("ttlMs")) out.Line("  TTL:      " + Str(info, "ttlMs") + "ms");
  }
  out.Line("  Backend:  " + Str(e, "datastoreType"));
  if (!scope.empty()) out.Line("  Scope:    " + scope);
  if (e.contains("mode")) out.Line("  Mode:     " + Str(e, "mode"));
  if (corrupt)
    out.Line("  State:    corrupt");
  else if (stale)
    out.Line("  State:    stale");
  if (e.contains("error")) out.Line("  Error:    " + Str(e, "error"));
}

}  // namespace

void RegisterLockCommands(CommandRegistry& registry) {
  CLI::App* datastore = registry.Group(nullptr, "datastore", "Datastore management");
  CLI::App* lock = registry.Group(datastore, "lock", "Inspect and break datastore locks");

  registry.Command(lock, "status", "Show who holds the datastore's locks",
                   [](CommandContext& ctx) -> Status {
                     FEN_ASSIGN_OR_RETURN(RepoContext repo, Repo(ctx));
                     FEN_ASSIGN_OR_RETURN(auto report, locking::InspectLocks(ctx.env, repo));
                     for (const Json& m : report.models) {
                       if (ctx.out.json())
                         ctx.out.Document(m);
                       else
                         RenderStatus(ctx.out, m);
                     }
                     if (ctx.out.json())
                       ctx.out.Document(report.global);
                     else
                       RenderStatus(ctx.out, report.global);
                     return Status::Ok();
                   });

  auto force = std::make_shared<bool>(false);
  auto model = std::make_shared<std::string>();
  CLI::App* release = registry.Command(
      lock, "release", "Force-release a stuck lock (breakglass)",
      [force, model](CommandContext& ctx) -> Status {
        if (!*force) {
          return Status(ErrorCode::kValidationFailed,
                        "The --force flag is required to release a lock. This is a breakglass "
                        "operation — only use it when a lock is stuck.");
        }
        std::optional<locking::ModelRef> ref;
        if (!model->empty()) {
          FEN_ASSIGN_OR_RETURN(ref, locking::ParseModelSpec(*model));
        }
        FEN_ASSIGN_OR_RETURN(RepoContext repo, Repo(ctx));
        FEN_ASSIGN_OR_RETURN(Json result, locking::ForceReleaseLock(ctx.env, repo, ref));
        if (ctx.out.json()) {
          ctx.out.Document(result);
        } else if (result.value("released", false)) {
          ctx.out.Line("Lock Released");
          const Json& prev = result["previousHolder"];
          if (prev.is_object()) {
            ctx.out.Line("  Previous holder: " + Str(prev, "holder") + " (pid " + Str(prev, "pid") +
                         ")");
          }
        } else {
          ctx.out.Line("Lock Release: " + Str(result, "reason"));
        }
        return Status::Ok();
      });
  release->add_flag("--force", *force, "Required: confirms this breakglass operation")->required();
  release->add_option("--model", *model, "Release a per-model lock (type/id)");
}

}  // namespace fen::cli
