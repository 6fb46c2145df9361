#include "cli/lock_feedback.h"

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

locking::LockRequest CliLockRequest(CommandContext& ctx, std::string command) {
  locking::LockRequest r;
  r.command = std::move(command);
  r.notice = LockNotice(ctx);
  r.wait_warning = LockWaitWarning(ctx);
  return r;
}

}  // namespace fen::cli
