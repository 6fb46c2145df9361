// DatastoreConfig: where a repo's runtime data lives, parsed from one of the three places
// swamp reads it (shared/spec/cli.md §10, storage.md §2): the SWAMP_DATASTORE environment
// variable, the --datastore flag, or the `.swamp.yaml` `datastore:` key.
//
// Formats (docs/design/repo.md §4):
// - env / flag string: `filesystem:PATH`, `filesystem:PATH#NAMESPACE`, or a bare PATH (taken
//   literally, no `#` parsing). A relative PATH is relative to the cwd.
// - `.swamp.yaml`: a mapping `{type: filesystem, path: PATH, namespace: NS}` (every key
//   optional; type defaults to filesystem, path to `.swamp`), or a string in the env format.
//   A relative PATH is relative to the repo directory.
// Any other type (`s3:bucket`, `type: s3`) is ErrorCode::kInvalidConfig naming the value and
// the supported types. Pure functions; thread-safe.
#pragma once

#include <string>

#include "fen/base/json_text.h"
#include "fen/base/status.h"

namespace fen {

struct DatastoreConfig {
  std::string type = "filesystem";
  std::string path;          // absolute, lexically normalized
  std::string ns;            // "" = solo mode
  bool has_ns = false;       // a namespace was given (possibly to override the config's)
  bool data_in_tier = true;  // false when `directories:` omits `data` (storage.md §2 tier rule)
};

// `origin` names the source in error messages: "SWAMP_DATASTORE", "--datastore".
Result<DatastoreConfig> ParseDatastoreString(const std::string& value, const std::string& base_dir,
                                             const std::string& origin);
// The `.swamp.yaml` `datastore` value; `marker_path` names the file in error messages.
Result<DatastoreConfig> ParseDatastoreConfig(const Json& value, const std::string& repo_dir,
                                             const std::string& marker_path);
// storage.md §2: ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$, at most 64 characters.
bool IsValidNamespace(const std::string& ns);

}  // namespace fen
