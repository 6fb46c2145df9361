// Parsing of `--input`, `--input-file`, `--global-arg`, `--tag` and `--timeout` values
// (shared/spec/cli.md §5.2, §6.1). Pure apart from reading `@file` values through Env.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::models {

// `--input` values (a single JSON object, or key=value with dotted keys, `:json` and `@file`)
// deep-merged over the `--input-file` YAML object (`input_file` "" = none).
Result<Json> ParseRunInputs(Env* env, const std::vector<std::string>& inputs,
                            const std::string& input_file);
// key=value form only (`model create --global-arg`).
Result<Json> ParseKeyValueArguments(Env* env, const std::vector<std::string>& args);
// KEY=VALUE pairs: "Invalid tag format: \"<e>\". Expected KEY=VALUE".
Result<std::vector<std::pair<std::string, std::string>>> ParseTags(
    const std::vector<std::string>& tags);
// 30 (seconds) | 30s | 500ms | 5m | 1h -> milliseconds.
Result<int64_t> ParseDurationMillis(const std::string& text);
// Recursive object merge, `over` wins.
void DeepMerge(Json* base, const Json& over);

}  // namespace fen::models
