// Fuzz target: model definition files (models/**.yaml, cli.md §3) written by anyone with
// access to the repository. Invariants: ParseDefinition never crashes or throws; an accepted
// definition serialises (SerializeDefinition) to text that parses back to the same document
// (DefinitionToJson equal), and serialising again gives the same text.
#include <cstdint>
#include <string>

#include "fen/base/json_text.h"
#include "fen/models/definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto def = fen::models::ParseDefinition(text, "command/shell");
  if (!def.ok()) return 0;
  const std::string once = fen::models::SerializeDefinition(*def);
  auto back = fen::models::ParseDefinition(once, "command/shell");
  if (!back.ok()) __builtin_trap();  // fen wrote a definition it cannot read back
  if (fen::ToCompactJson(fen::models::DefinitionToJson(*back)) !=
      fen::ToCompactJson(fen::models::DefinitionToJson(*def))) {
    __builtin_trap();
  }
  if (fen::models::SerializeDefinition(*back) != once) __builtin_trap();
  return 0;
}
