#include "fen/models/model_type.h"

#include "fen/storage/data_format.h"

namespace fen::models {

Result<std::string> NormalizeModelType(std::string_view raw) {
  return storage::NormalizeModelType(raw);  // the one rule (storage.md §3.3)
}

bool IsKnownModelType(std::string_view normalized) { return normalized == kShellType; }

Status UnknownModelTypeError(std::string_view type) {
  return Status(ErrorCode::kUnknownModelType, "Unknown model type: " + std::string(type) +
                                                  ". Available types: " + std::string(kShellType));
}

}  // namespace fen::models
