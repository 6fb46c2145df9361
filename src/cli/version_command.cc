// `fen version [--json]` (cli.md §9.5): {"version": "<fen version>"}.
#include "cli/command_registry.h"

namespace fen::cli {

void RegisterVersionCommand(CommandRegistry& registry) {
  registry.Command(nullptr, "version", "Print fen's version", [](CommandContext& ctx) {
    if (ctx.out.json()) {
      Json j = Json::object();
      j["version"] = FEN_VERSION;
      ctx.out.Document(j);
    } else {
      ctx.out.Line(std::string("fen ") + FEN_VERSION);
    }
    return Status::Ok();
  });
}

}  // namespace fen::cli
