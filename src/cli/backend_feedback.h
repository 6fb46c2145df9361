// How the CLI wires backends to its output. How the CLI shows lock waits (locking.md §6.5):
// progress notices go to stderr in both modes; the "Waiting for lock ..." line is a log warning,
// silent in JSON mode as in swamp. Used by every command that takes locks. Single-threaded, like
// the command that owns ctx.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cli/command_registry.h"
#include "fen/backends.h"
#include "fen/locking/lock_manager.h"

namespace fen::cli {

std::function<void(std::string_view)> LockNotice(CommandContext& ctx);
std::function<void(std::string_view)> LockWaitWarning(CommandContext& ctx);
// Backend options with the CLI's swamp-catalog warning (storage.md §7.8 shapes).
DataStoreOptions CliDataStoreOptions(CommandContext& ctx);
// A LockRequest for `command` with the CLI's feedback and the default deadline.
locking::LockRequest CliLockRequest(CommandContext& ctx, std::string command);

}  // namespace fen::cli
