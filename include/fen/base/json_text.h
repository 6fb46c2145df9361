// JSON text the way swamp writes it: JSON.stringify(x, null, 2) for documents (2-space
// indent, non-ASCII kept, invalid UTF-8 replaced rather than throwing) and compact
// JSON.stringify(x) for stored content. Insertion-ordered objects (ordered_json) so key order
// matches swamp's output. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fen {

using Json = nlohmann::ordered_json;

std::string ToPrettyJson(const Json& value);  // no trailing newline
std::string ToCompactJson(const Json& value);

}  // namespace fen
