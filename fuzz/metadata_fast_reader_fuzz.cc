// Differential fuzz target: the fast metadata.yaml reader (metadata_fast_reader.h) against the
// yaml-cpp reference. Invariant: the fast reader either declines or returns exactly the record
// ParseMetadataYamlWithYamlCpp returns (docs/design/catalog.md §6).
#include <cstdint>
#include <cstdio>
#include <string>

#include "fen/storage/data_format.h"
#include "fen/storage/metadata_fast_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto fast = fen::storage::TryParseMetadataYamlFast(text);
  if (!fast) return 0;
  auto reference = fen::storage::ParseMetadataYamlWithYamlCpp(text);
  if (!reference.ok()) {
    std::fprintf(stderr, "fast reader accepted what yaml-cpp rejects (%s):\n%s\n",
                 reference.status().message().c_str(), text.c_str());
    __builtin_trap();
  }
  if (!(*fast == *reference)) {
    std::fprintf(stderr, "fast reader and yaml-cpp disagree:\n%s\n", text.c_str());
    __builtin_trap();
  }
  return 0;
}
