// See yaml_js_rules.h.
#include "base/yaml_js_rules.h"

#include <unordered_set>
#include <vector>

#include "fen/base/char_scan.h"

namespace fen {

std::string RepairYamlCppEscapes(const std::string& scalar) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < scalar.size();) {
    const unsigned char c = static_cast<unsigned char>(scalar[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const int n = scan::Utf8SequenceLength(scalar, i);
    if (n > 0) {
      i += static_cast<size_t>(n);
      continue;
    }
    if (c == 0x85 || c == 0xA0) {
      out.append(scalar, copied, i - copied);
      out += '\xC2';
      out += static_cast<char>(c);
      copied = i + 1;
    }
    ++i;
  }
  if (copied == 0) return scalar;
  out.append(scalar, copied, std::string::npos);
  return out;
}

namespace {

void RepairScalar(YAML::Node node) {
  const std::string& text = node.Scalar();
  bool high = false;
  for (char ch : text) high = high || static_cast<unsigned char>(ch) >= 0x80;
  if (!high) return;
  std::string repaired = RepairYamlCppEscapes(text);
  if (repaired != text) node = repaired;  // keeps the node's tag (quoted stays a string)
}

}  // namespace

std::optional<std::string> ApplyJsYamlRules(YAML::Node root) {
  std::vector<YAML::Node> pending{root};
  size_t visited = 0;
  while (!pending.empty()) {
    if (++visited > kMaxYamlNodes) {
      return "YAML document too large (more than " + std::to_string(kMaxYamlNodes) + " nodes)";
    }
    YAML::Node node = pending.back();
    pending.pop_back();
    if (node.IsScalar()) {
      RepairScalar(node);
    } else if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
    } else if (node.IsMap()) {
      std::unordered_set<std::string> keys;
      for (const auto& kv : node) {
        if (kv.first.IsScalar()) {
          RepairScalar(kv.first);
          if (!keys.insert(kv.first.Scalar()).second) {
            const YAML::Mark mark = kv.first.Mark();
            return "duplicated mapping key '" + kv.first.Scalar() + "' (line " +
                   std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
                   ")";
          }
        }
        pending.push_back(kv.second);
      }
    }
  }
  return std::nullopt;
}

}  // namespace fen
