// The `command/shell` model type (shared/spec/cli.md §4): its method description and JSON
// Schema as reported by `model create`/`model get`, and the validation of the merged method
// arguments (string coercion, then schema check with zod-style messages, §4.1, §5.3 step 10).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"

namespace fen::models {

inline constexpr const char* kShellMethod = "execute";

// [{name: "execute", description, arguments: <schema>}] exactly as in create_hello.json.
Json ShellMethodsDescription();
// The valid argument names in schema order: run, workingDir, timeout, env, ignoreExitCode.
const std::vector<std::string>& ShellArgumentNames();

struct ShellArguments {
  std::string run;
  std::optional<std::string> working_dir;
  std::optional<int64_t> timeout_ms;
  std::vector<std::pair<std::string, std::string>> env;
  bool ignore_exit_code = false;
};

// Coerces and validates `merged` (global arguments under method arguments). Failure:
// validation_failed "Method arguments validation failed: <issue> at \"<path>\"[; ...]".
Result<ShellArguments> ValidateShellArguments(const Json& merged);

// Schema issues for stored arguments without the "Method arguments validation failed: "
// prefix (used by `model validate`); empty when valid.
std::vector<std::string> ShellArgumentIssues(const Json& merged);

}  // namespace fen::models
