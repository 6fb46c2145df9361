// The binary encodings of two columns of fen's catalog (docs/design/catalog.md §2): a row's
// stamps and its record.
//
// Contract:
// * Encode is deterministic: equal values give equal bytes. The refresh compares a row's stamps
//   by comparing the encoded bytes (CatalogStore::LoadBlobs), so this is relied upon.
// * Decode(Encode(v)) == v for every value, and Encode(Decode(b)) == b for every blob that
//   decodes (only the canonical encoding is accepted).
// * Decode of any byte string (a damaged or foreign file) returns nullopt/false or some value,
//   never reads out of bounds and never allocates more than a small multiple of the input:
//   the catalog is a cache, and a row that does not decode is re-read from the tree.
// * Pure functions: any thread may call them at any time.
//
// The format is `fen-catalog-3`: unsigned LEB128 varints for counts, lengths and flags, zigzag
// varints for signed numbers. A typical record takes ~195 bytes instead of the
// ~380 of format 2's fixed 8-byte integers; the write-back of a rebuild writes every byte twice
// (WAL, then checkpoint). fuzz/catalog_row_codec_fuzz.cc checks the contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fen/storage/data_record.h"

namespace fen::storage {

// What one `stat` of a file showed, as far as the refresh compares it.
struct CatalogStamp {
  int64_t exists = 0;  // 0 missing, 1 regular/dir, 2 symlink/other
  int64_t dev = 0, ino = 0, mtime_ns = 0, ctime_ns = 0, size = 0;
  bool operator==(const CatalogStamp&) const = default;
};

// The two stamps a row is validated by: the data-name directory's `latest`, and the
// metadata.yaml of the version `latest` names (docs/design/catalog.md §3, "Why two stamps").
struct CatalogRowStamps {
  CatalogStamp latest, metadata;
  bool operator==(const CatalogRowStamps&) const = default;
};

std::string EncodeCatalogStamps(const CatalogRowStamps& stamps);
std::optional<CatalogRowStamps> DecodeCatalogStamps(std::string_view blob);

std::string EncodeCatalogRecord(const DataRecord& record);
std::optional<DataRecord> DecodeCatalogRecord(std::string_view blob);

}  // namespace fen::storage
