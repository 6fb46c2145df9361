// Model types: normalisation of type strings to their path form (shared/spec/storage.md §3.3)
// and the registry of the types fen can create and run (cli.md §3.1: only `command/shell`).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"

namespace fen::models {

inline constexpr std::string_view kShellType = "command/shell";
inline constexpr std::string_view kShellTypeVersion = "2026.02.09.1";

// "AWS::EC2::VPC" -> "aws/ec2/vpc" (delegates to storage::NormalizeModelType). Errors
// (validation_failed): "Model type cannot be empty", "Model type normalization resulted in empty
// string".
Result<std::string> NormalizeModelType(std::string_view raw);

// True for the types fen registers (after normalisation).
bool IsKnownModelType(std::string_view normalized);

// "Unknown model type: <t>. Available types: command/shell" (code unknown_model_type).
Status UnknownModelTypeError(std::string_view type);

}  // namespace fen::models
