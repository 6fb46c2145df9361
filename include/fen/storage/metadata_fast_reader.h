// A fast reader for the fixed metadata.yaml shapes swamp and fen write (shared/spec/storage.md
// §3.4): top-level `key: scalar` lines, the two one-level block mappings `tags` and
// `ownerDefinition`, plain / single-quoted / escape-free double-quoted scalars, ASCII only.
//
// Contract: TryParseMetadataYamlFast either declines (nullopt) or returns exactly the record
// ParseMetadataYamlWithYamlCpp returns for the same text. It declines on anything it does not
// recognise (flow style, anchors, tags, block scalars, comments, escapes, tabs, CR, non-ASCII,
// duplicate or unknown keys, odd indentation, multi-line scalars...) and on every document the
// reference would reject, so error messages always come from the yaml-cpp path.
// ParseMetadataYaml (data_format.h) calls it first. Equivalence is checked by
// metadata_fast_reader_test.cc (every fixture file) and fuzz/metadata_fast_reader_fuzz.cc
// (differential). Pure function; thread-safe. docs/design/catalog.md §6.
#pragma once

#include <optional>
#include <string_view>

#include "fen/storage/data_record.h"

namespace fen::storage {

std::optional<DataRecord> TryParseMetadataYamlFast(std::string_view text);

}  // namespace fen::storage
