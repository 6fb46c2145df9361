// Definition: one model definition file (shared/spec/cli.md §3.4), its YAML form, its name
// rules (§3.3) and its hash (§3.5). A plain value type plus pure functions; thread-safe.
//
// Unlike swamp, unknown top-level keys are kept (in `extra`, in file order) and written back
// after the known keys, so hand-added fields survive a rewrite (docs/design/models.md §1).
#pragma once

#include <string>
#include <string_view>

#include "fen/base/json_text.h"
#include "fen/base/status.h"

namespace fen::models {

struct Definition {
  std::string type;          // normalized
  std::string type_version;  // "" = unset
  std::string id;
  std::string name;
  int64_t version = 1;
  Json tags = Json::object();
  Json global_arguments = Json::object();
  Json methods = Json::object();
  // Optional keys in swamp's order: inputs, checks, reports, resources (absent = null).
  Json inputs;
  Json checks;
  Json reports;
  Json resources;
  Json extra = Json::object();  // unknown top-level keys, file order

  std::string path;  // absolute path of the file it was read from / will be written to
};

// Converts a YAML document (any valid YAML) to JSON, resolving plain scalars with the YAML 1.2
// core schema (null, booleans, integers, floats; integral floats become integers, as in JS).
// Errors: validation_failed with the parser's message.
Result<Json> YamlToJson(std::string_view text);

// Parses and validates a definition file's text. `type_from_path` is used when `type:` is
// missing. Applies the LOADING name rule (§3.3) and rejects `driver`/`driverConfig`.
Result<Definition> ParseDefinition(std::string_view text, std::string_view type_from_path);

// The document in swamp's key order (§3.4), with `extra` after the known keys.
Json DefinitionToJson(const Definition& def);
// The YAML text fen writes (single-quote style, `{}` for empty maps, trailing newline).
std::string SerializeDefinition(const Definition& def);

// §3.5: SHA-256 hex of the sorted-key compact JSON of the definition without type/typeVersion
// (and without fen's preserved unknown keys, which swamp would have dropped).
std::string DefinitionHash(const Definition& def);
// The sorted-key compact JSON text hashed by DefinitionHash (exposed for tests).
std::string DefinitionHashText(const Definition& def);

// Name rules. New definitions (model create): 1-64 chars of ^[a-z0-9][a-z0-9_-]*$ or a scoped
// @collective/name; loaded definitions: non-empty, no "..", "\\", NUL, "/" unless scoped.
Status ValidateNewDefinitionName(std::string_view name);
Status ValidateLoadedDefinitionName(std::string_view name);
bool IsScopedName(std::string_view name);
// True when the file is stored as <name>.yaml (otherwise <id>.yaml).
bool IsFilenameSafeName(std::string_view name);

// The first string value containing "${{" at any depth, as a dotted key path and the
// expression text; false if none.
bool FindExpression(const Json& value, const std::string& prefix, std::string* path,
                    std::string* expression);

}  // namespace fen::models
