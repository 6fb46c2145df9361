// CheckDistinctMappingKeys: the one YAML rule yaml-cpp does not enforce and swamp's reader
// (js-yaml) does: a mapping may not hold the same key twice ("duplicated mapping key"). yaml-cpp
// keeps both pairs and each of fen's readers would silently pick one; a file swamp refuses to
// read must be refused by fen too, not half-read (fuzz finding:
// fuzz/regressions/metadata_yaml/duplicate-tag-key).
//
// Call it on a document yaml-cpp has loaded, before reading any field. Keys are compared by
// their scalar text (js-yaml turns keys into strings); non-scalar keys are not compared. The
// walk is iterative (hostile nesting cannot exhaust the stack) and bounded: aliases share nodes,
// so a small file can expand to billions of them ("billion laughs"); past kMaxYamlNodes the
// document is refused instead of walked.
// Pure function; thread-safe for distinct documents.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>

namespace fen {

inline constexpr size_t kMaxYamlNodes = 1'000'000;

// Why the document is refused: "duplicated mapping key 'KEY' (line L, column C)" (1-based
// position of the repeated key) or "YAML document too large (more than 1000000 nodes)";
// nullopt when every mapping's keys are distinct.
std::optional<std::string> CheckDistinctMappingKeys(const YAML::Node& root);

}  // namespace fen
