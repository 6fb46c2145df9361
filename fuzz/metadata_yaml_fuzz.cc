// Fuzz target: metadata.yaml (storage.md §3.4) as read from a datastore anyone can write.
// Invariants: ParseMetadataYaml never crashes and never throws; an accepted record serialises
// (MetadataToYaml) to text that parses back to the same record, and serialising that again
// gives the same text (writer/reader round trip).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fen/storage/data_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rec = fen::storage::ParseMetadataYaml(text);
  if (!rec.ok()) return 0;
  const std::string once = fen::storage::MetadataToYaml(*rec);
  auto back = fen::storage::ParseMetadataYaml(once);
  if (!back.ok()) {
    std::fprintf(stderr, "re-parse failed: %s\n--- written:\n%s\n", back.status().message().c_str(),
                 once.c_str());
    __builtin_trap();  // fen wrote a metadata.yaml it cannot read back
  }
  const std::string twice = fen::storage::MetadataToYaml(*back);
  if (once != twice) __builtin_trap();
  if (back->id != rec->id || back->name != rec->name || back->version != rec->version ||
      back->size != rec->size || back->checksum != rec->checksum ||
      back->created_at != rec->created_at || back->tags != rec->tags) {
    __builtin_trap();
  }
  return 0;
}
