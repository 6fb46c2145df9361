// DataRecord: one version of a data artifact, i.e. the content of its `metadata.yaml`
// (shared/spec/storage.md §3.4, §4). A plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fen::storage {

// An insertion-ordered string map (tags keep swamp's key order when rewritten).
using OrderedStringMap = std::vector<std::pair<std::string, std::string>>;

struct OwnerDefinition {
  std::string owner_type;  // model-method | workflow-step | manual
  std::string owner_ref;
  // Optional fields in swamp's order: definitionHash, workflowId, workflowRunId, workflowName,
  // jobName, stepName, source.
  OrderedStringMap extra;

  bool operator==(const OwnerDefinition&) const = default;
};

// `garbageCollection`: a positive integer (keep N newest) or a duration string ("7d").
using GcPolicy = std::variant<int64_t, std::string>;

struct DataRecord {
  std::string id;
  std::string name;
  int64_t version = 0;
  std::string content_type;
  std::string lifetime;
  GcPolicy garbage_collection = int64_t{10};
  bool streaming = false;
  OrderedStringMap tags;  // must contain "type"
  OwnerDefinition owner;
  std::string created_at;  // ISO-8601 ms Z, as written
  std::optional<int64_t> size;
  std::optional<std::string> checksum;
  bool deleted = false;                   // lifecycle: deleted (tombstone)
  std::optional<std::string> renamed_to;  // rename tombstone

  bool operator==(const DataRecord&) const = default;

  std::string TagOr(const std::string& key, const std::string& fallback = "") const {
    for (const auto& [k, v] : tags) {
      if (k == key) return v;
    }
    return fallback;
  }
};

// Identifies one artifact: (normalized model type, model id, data name).
struct ArtifactKey {
  std::string type;
  std::string model_id;
  std::string name;
};

}  // namespace fen::storage
