// YamlWriter: emits YAML the way swamp's files look (block style, 2-space indentation, plain
// scalars where YAML 1.2 core/js-yaml would read them back as the same string, quotes only
// where needed, `{}`/`[]` for empty collections, sequences indented under their key), so that
// files fen writes stay diff-identical in shape to swamp's (storage.md §3.4, cli.md §2.2, §3.4).
//
// Values are given as an ordered JSON tree (key order is preserved). Two quoting styles:
// single quotes (metadata.yaml, definitions, run records) and double quotes (.swamp.yaml).
// Strings containing line breaks or control characters are always double-quoted with escapes.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "fen/base/json_text.h"

namespace fen {

enum class YamlQuoteStyle { kSingle, kDouble };

struct YamlWriteOptions {
  YamlQuoteStyle quote = YamlQuoteStyle::kSingle;
  // Indent sequence items under their parent key ("key:\n  - a"), as js-yaml does.
  bool indent_sequences = true;
};

// The document text, ending with a newline. `value` must be an object.
std::string ToYaml(const Json& value, const YamlWriteOptions& options = {});

// True if `s` can be written as a plain scalar and read back as the same string.
bool YamlPlainSafe(const std::string& s);

}  // namespace fen
