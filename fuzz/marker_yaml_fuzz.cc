// Fuzz target: the repository marker `.swamp.yaml` (cli.md §2.2) and its `datastore` value.
// Invariants: Marker::Parse never crashes or throws; an accepted marker's ToText parses back
// to the same document; the datastore value parser never crashes on whatever it holds.
#include <cstdint>
#include <string>

#include "fen/repo/datastore_config.h"
#include "fen/repo/marker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto m = fen::Marker::Parse(text, "/repo/.swamp.yaml");
  if (!m.ok()) return 0;
  (void)m->tools();
  (void)m->auto_gc();
  (void)m->log_level();
  (void)m->gitignore_managed();
  if (!m->datastore().is_null()) {
    (void)fen::ParseDatastoreConfig(m->datastore(), "/repo", "/repo/.swamp.yaml");
  }
  const std::string once = m->ToText();
  auto back = fen::Marker::Parse(once, "/repo/.swamp.yaml");
  if (!back.ok()) __builtin_trap();
  if (back->ToText() != once) __builtin_trap();
  return 0;
}
