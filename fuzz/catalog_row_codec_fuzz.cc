// Fuzz target: the catalog's row codec (src/storage/catalog_row_codec.h). A catalog file is
// fen's own, but it may be damaged or written by another version. Invariants: never crash or
// read out of bounds; whatever decodes re-encodes to a blob that decodes to the same value.
#include <cstdint>
#include <string>

#include "storage/catalog_row_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string blob(reinterpret_cast<const char*>(data), size);
  if (auto record = fen::storage::DecodeCatalogRecord(blob)) {
    auto again = fen::storage::DecodeCatalogRecord(fen::storage::EncodeCatalogRecord(*record));
    if (!again || !(*again == *record)) __builtin_trap();
  }
  if (auto stamps = fen::storage::DecodeCatalogStamps(blob)) {
    auto again = fen::storage::DecodeCatalogStamps(fen::storage::EncodeCatalogStamps(*stamps));
    if (!again || !(*again == *stamps)) __builtin_trap();
  }
  return 0;
}
