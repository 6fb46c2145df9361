// Minimal definition lookup; see include/fen/storage/model_lookup.h.
#include "fen/storage/model_lookup.h"

#include <yaml-cpp/yaml.h>

#include "base/yaml_js_rules.h"
#include "fen/storage/data_format.h"

namespace fen::storage {
namespace {

constexpr int kMaxDepth = 16;

void Scan(Env* env, const std::string& root, const std::string& dir, int depth,
          std::vector<ModelDefinitionRef>* out) {
  if (depth > kMaxDepth) return;
  auto entries = env->ListDir(dir);
  if (!entries.ok()) return;
  for (const auto& e : *entries) {
    const std::string path = dir + "/" + e.name;
    if (e.type == FileType::kDirectory) {
      Scan(env, root, path, depth + 1, out);
      continue;
    }
    if (e.name.size() < 6 || e.name.substr(e.name.size() - 5) != ".yaml") continue;
    auto text = env->ReadFile(path);
    if (!text.ok()) continue;
    try {
      YAML::Node doc = YAML::Load(*text);
      if (!doc.IsMap() || !doc["id"] || !doc["name"] || ApplyJsYamlRules(doc)) continue;
      ModelDefinitionRef ref;
      ref.id = doc["id"].as<std::string>();
      ref.name = doc["name"].as<std::string>();
      std::string type;
      if (doc["type"] && doc["type"].IsScalar()) {
        type = doc["type"].Scalar();
      } else if (dir.size() > root.size()) {
        type = dir.substr(root.size() + 1);
      }
      auto normalized = NormalizeModelType(type);
      if (!normalized.ok()) continue;
      ref.type = *normalized;
      out->push_back(std::move(ref));
    } catch (const std::exception&) {
      continue;  // broken definition: skipped (cli.md §3.4)
    }
  }
}

}  // namespace

Result<std::vector<ModelDefinitionRef>> ListModelDefinitions(Env* env, const RepoContext& repo) {
  std::vector<ModelDefinitionRef> out;
  Scan(env, repo.models_dir, repo.models_dir, 0, &out);
  const std::string auto_dir = repo.repo_dir + "/.swamp/auto-definitions";
  Scan(env, auto_dir, auto_dir, 0, &out);
  return out;
}

Result<ModelDefinitionRef> FindModelByNameOrId(Env* env, const RepoContext& repo,
                                               const std::string& ref) {
  FEN_ASSIGN_OR_RETURN(std::vector<ModelDefinitionRef> defs, ListModelDefinitions(env, repo));
  for (const auto& d : defs) {
    if (d.name == ref) return d;
  }
  for (const auto& d : defs) {
    if (d.id == ref) return d;
  }
  return Status(ErrorCode::kModelNotFound, "Model not found: " + ref);
}

}  // namespace fen::storage
