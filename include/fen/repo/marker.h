// Marker: the repository marker file `.swamp.yaml` (shared/spec/cli.md §2.2), read and
// rewritten without losing what fen does not understand.
//
// Contract:
// - The document is kept as an insertion-ordered tree: keys fen does not know (extension
//   dirs, telemetry, keys added by newer swamp versions) survive a Load/Save round trip with
//   their order and values. Comments, anchors and the original quoting are not preserved
//   (docs/design/repo.md §2).
// - Parse rejects, with ErrorCode::kInvalidConfig and a one-line message naming the file:
//   malformed YAML, a document that is not a mapping, the removed keys `defaultDriver` /
//   `defaultDriverConfig`, and known fields of the wrong type. Nothing is ever written by a
//   failed read.
// - A legacy `tool: X` is promoted to `tools: [X]` (`tool: none` -> `tools: []`) in place.
// - Save writes atomically and durably (cli.md C-6): `.<uuid>.tmp` in the same directory,
//   write, fsync, rename over `.swamp.yaml`, fsync the directory; double-quoted YAML.
// - A Marker is a value; not synchronised. Callers in different processes serialise writes
//   themselves (only `repo init` writes the marker today).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

// The swamp format version fen writes into new repos (cli.md §2.2 "fen:").
inline constexpr const char* kSwampFormatVersion = "20260206.200442.0";
inline constexpr const char* kMarkerFileName = ".swamp.yaml";

class Marker {
 public:
  Marker() : doc_(Json::object()) {}

  // A brand-new marker as `repo init` writes it, in the key order swampVersion,
  // initializedAt, repoId, tools, gitignoreManaged.
  static Marker Fresh(const std::vector<std::string>& tools, const std::string& initialized_at,
                      const std::string& repo_id);

  // Parses marker text. `path` only names the file in error messages.
  static Result<Marker> Parse(const std::string& text, const std::string& path);
  // Reads and parses `path` through `env`.
  static Result<Marker> Load(Env* env, const std::string& path);

  // The YAML text Save writes (double-quote style, ends with a newline).
  std::string ToText() const;
  // Atomic + durable replace of `path` (see the contract above).
  Status Save(Env* env, const std::string& path) const;

  // Typed views of the fields fen uses; std::nullopt / defaults when absent.
  std::optional<std::string> swamp_version() const;
  std::optional<std::string> initialized_at() const;
  std::optional<std::string> repo_id() const;
  std::vector<std::string> tools() const;
  bool gitignore_managed() const;
  bool auto_gc() const;
  std::string log_level() const;  // "" if unset
  // The raw `datastore` value (object or string), or null when absent.
  const Json& datastore() const;

  // Sets (or adds at the end) a top-level key, keeping the position of an existing key.
  void Set(const std::string& key, Json value);
  // The whole document, in file order.
  const Json& document() const { return doc_; }

 private:
  explicit Marker(Json doc) : doc_(std::move(doc)) {}
  Json doc_;
};

}  // namespace fen
