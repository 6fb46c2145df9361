// Command group registration: filled in by the component that owns this group.
#include "cli/command_registry.h"

namespace fen::cli {

void RegisterRepoCommands(CommandRegistry& /*registry*/) {}

}  // namespace fen::cli
