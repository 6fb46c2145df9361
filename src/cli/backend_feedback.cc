#include "cli/backend_feedback.h"

namespace fen::cli {

std::function<void(std::string_view)> LockNotice(CommandContext& ctx) {
  return [&ctx](std::string_view text) { ctx.out.Notice(text); };
}

std::function<void(std::string_view)> LockWaitWarning(CommandContext& ctx) {
  if (ctx.out.json()) return [](std::string_view) {};  // swamp logs it; JSON mode is silent
  return [&ctx](std::string_view text) {
    ctx.out.Warning("lock_wait", text, Json{{"message", std::string(text)}});
  };
}

DataStoreOptions CliDataStoreOptions(CommandContext& ctx) {
  DataStoreOptions o;
  o.on_catalog_warning = [&ctx](const std::string& path, const std::string& reason) {
    Json fields = Json::object();
    fields["path"] = path;
    fields["error"] = reason;
    ctx.out.Warning("catalog_invalidation_failed",
                    "could not invalidate swamp's catalog at " + path + ": " + reason, fields);
  };
  return o;
}

locking::LockRequest CliLockRequest(CommandContext& ctx, std::string command) {
  locking::LockRequest r;
  r.command = std::move(command);
  r.notice = LockNotice(ctx);
  r.wait_warning = LockWaitWarning(ctx);
  return r;
}

}  // namespace fen::cli
