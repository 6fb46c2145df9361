#include "fen/models/model_type.h"

#include <cctype>

namespace fen::models {

Result<std::string> NormalizeModelType(std::string_view raw) {
  size_t b = 0, e = raw.size();
  while (b < e && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(raw[e - 1]))) --e;
  std::string_view t = raw.substr(b, e - b);
  if (t.empty()) return Status(ErrorCode::kValidationFailed, "Model type cannot be empty");
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == ':' && i + 1 < t.size() && t[i + 1] == ':') {
      out += '/';
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      while (i + 1 < t.size() && std::isspace(static_cast<unsigned char>(t[i + 1]))) ++i;
      out += '/';
    } else if (c == '.') {
      out += '/';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  std::string collapsed;
  for (char c : out) {
    if (c == '/' && !collapsed.empty() && collapsed.back() == '/') continue;
    collapsed += c;
  }
  if (!collapsed.empty() && collapsed.front() == '/') collapsed.erase(0, 1);
  if (!collapsed.empty() && collapsed.back() == '/') collapsed.pop_back();
  if (collapsed.empty()) {
    return Status(ErrorCode::kValidationFailed,
                  "Model type normalization resulted in empty string");
  }
  return collapsed;
}

bool IsKnownModelType(std::string_view normalized) { return normalized == kShellType; }

Status UnknownModelTypeError(std::string_view type) {
  return Status(ErrorCode::kUnknownModelType, "Unknown model type: " + std::string(type) +
                                                  ". Available types: " + std::string(kShellType));
}

}  // namespace fen::models
