// A minimal model-definition lookup for the data commands (cli.md §3.6): definitions are
// `{repo}/models/**/*.yaml` (then `{repo}/.swamp/auto-definitions/**/*.yaml`) with fields
// `type`, `id`, `name`. The models component owns full definition parsing and may replace
// this. Broken files are skipped. Thread-compatible; reads only.
#pragma once

#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"

namespace fen::storage {

struct ModelDefinitionRef {
  std::string type;  // normalised
  std::string id;
  std::string name;
};

// Every readable definition, models/ first then auto-definitions, in directory-listing order.
Result<std::vector<ModelDefinitionRef>> ListModelDefinitions(Env* env, const RepoContext& repo);

// By name first, then by id. Not found: "Model not found: {ref}" (model_not_found).
Result<ModelDefinitionRef> FindModelByNameOrId(Env* env, const RepoContext& repo,
                                               const std::string& ref);

}  // namespace fen::storage
