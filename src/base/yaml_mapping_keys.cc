// See yaml_mapping_keys.h.
#include "base/yaml_mapping_keys.h"

#include <unordered_set>
#include <vector>

namespace fen {

std::optional<std::string> CheckDistinctMappingKeys(const YAML::Node& root) {
  std::vector<YAML::Node> pending{root};
  size_t visited = 0;
  while (!pending.empty()) {
    if (++visited > kMaxYamlNodes) {
      return "YAML document too large (more than " + std::to_string(kMaxYamlNodes) + " nodes)";
    }
    YAML::Node node = pending.back();
    pending.pop_back();
    if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
    } else if (node.IsMap()) {
      std::unordered_set<std::string> keys;
      for (const auto& kv : node) {
        if (kv.first.IsScalar() && !keys.insert(kv.first.Scalar()).second) {
          const YAML::Mark mark = kv.first.Mark();
          return "duplicated mapping key '" + kv.first.Scalar() + "' (line " +
                 std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
                 ")";
        }
        pending.push_back(kv.second);
      }
    }
  }
  return std::nullopt;
}

}  // namespace fen
