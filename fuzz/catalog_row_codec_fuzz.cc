// Fuzz target: the catalog's row codec (src/storage/catalog_row_codec.h). A catalog file is
// fen's own, but it may be damaged or written by another version. Invariants: never crash or
// read out of bounds; whatever decodes re-encodes to exactly the input (only the canonical
// encoding is accepted), which decodes to the same value.
#include <cstdint>
#include <string>

#include "storage/catalog_row_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string blob(reinterpret_cast<const char*>(data), size);
  if (auto record = fen::storage::DecodeCatalogRecord(blob)) {
    const std::string encoded = fen::storage::EncodeCatalogRecord(*record);
    auto again = fen::storage::DecodeCatalogRecord(encoded);
    if (encoded != blob || !again || !(*again == *record)) __builtin_trap();
  }
  if (auto stamps = fen::storage::DecodeCatalogStamps(blob)) {
    const std::string encoded = fen::storage::EncodeCatalogStamps(*stamps);
    auto again = fen::storage::DecodeCatalogStamps(encoded);
    if (encoded != blob || !again || !(*again == *stamps)) __builtin_trap();
  }
  return 0;
}
