// Fuzz target: the `latest` marker text (storage.md §3.5) and version-directory names (§3.2).
// Invariants: never crash; a parsed marker is positive; the decimal text fen writes for a
// version parses back to that version under every parse; strict-accepted names are
// lenient-accepted with the same value.
#include <cstdint>
#include <string>

#include "fen/storage/data_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto marker = fen::storage::ParseMarkerText(text);
  if (marker) {
    if (*marker < 0) __builtin_trap();
    const std::string written = std::to_string(*marker);
    if (fen::storage::ParseMarkerText(written) != marker) __builtin_trap();
  }
  auto strict = fen::storage::ParseVersionStrict(text);
  auto lenient = fen::storage::ParseVersionLenient(text);
  if (strict) {
    if (*strict <= 0 || lenient != strict) __builtin_trap();
    if (std::to_string(*strict) != text) __builtin_trap();
  }
  return 0;
}
