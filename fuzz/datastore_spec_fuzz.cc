// Fuzz target: SWAMP_DATASTORE / --datastore values (cli.md §10, docs/design/repo.md §4).
// Invariants: never crash; an accepted filesystem value yields an absolute path without "."
// or ".." segments and a namespace that passes IsValidNamespace when one was given.
#include <cstdint>
#include <string>

#include "fen/repo/datastore_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = fen::ParseDatastoreString(text, "/work/repo", "SWAMP_DATASTORE");
  if (!cfg.ok()) return 0;
  if (cfg->path.empty() || cfg->path[0] != '/') __builtin_trap();
  const std::string& p = cfg->path;
  if (p.find("/../") != std::string::npos || p.find("/./") != std::string::npos) __builtin_trap();
  if (p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0) __builtin_trap();
  if (!cfg->ns.empty() && !fen::IsValidNamespace(cfg->ns)) __builtin_trap();
  return 0;
}
