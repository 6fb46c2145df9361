// ApplyJsYamlRules: what yaml-cpp gets wrong, or lets through, compared with js-yaml (swamp's
// reader), fixed on a document yaml-cpp has just loaded and before any field is read. Every
// fen reader of outside YAML (metadata.yaml, definitions, .swamp.yaml) calls it, so a file
// swamp refuses is refused by fen too, not half-read, and fen never holds a string it would
// write back differently (fuzz findings, docs/reliability.md §3):
// - A mapping may not hold the same key twice ("duplicated mapping key"). yaml-cpp keeps both
//   pairs and each reader would silently pick one (fuzz/regressions/metadata_yaml/).
// - yaml-cpp 0.7 decodes the double-quoted escapes `\N` (U+0085) and `\_` (U+00A0) to the
//   single bytes 0x85 and 0xA0 instead of their UTF-8 forms, so fen wrote a file that is not
//   UTF-8 (fuzz/regressions/marker_yaml/). The scalars are repaired in place: with the input
//   valid UTF-8 (callers check it: scan::FirstNonPrintableYaml), a byte that does not belong to
//   a well-formed sequence can only come from those two escapes.
// Keys are compared by their scalar text (js-yaml turns keys into strings); non-scalar keys are
// not compared. The walk is iterative (hostile nesting cannot exhaust the stack) and bounded:
// aliases share nodes, so a small file can expand to billions of them ("billion laughs"); past
// kMaxYamlNodes the document is refused instead of walked.
// Not thread-safe for one document (it may rewrite scalars); distinct documents are independent.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>

namespace fen {

inline constexpr size_t kMaxYamlNodes = 1'000'000;

// Why the document is refused: "duplicated mapping key 'KEY' (line L, column C)" (1-based
// position of the repeated key) or "YAML document too large (more than 1000000 nodes)";
// nullopt when it is accepted (scalars repaired as above).
std::optional<std::string> ApplyJsYamlRules(YAML::Node root);

// The repair alone, for one scalar: every 0x85 or 0xA0 byte that is not part of a well-formed
// UTF-8 sequence becomes C2 85 / C2 A0.
std::string RepairYamlCppEscapes(const std::string& scalar);

}  // namespace fen
