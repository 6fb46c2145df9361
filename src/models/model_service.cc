// model create/get/search/validate/delete (cli.md §6; docs/design/models.md).
#include "fen/models/model_service.h"

#include <algorithm>
#include <cctype>

#include "fen/base/uuid.h"
#include "fen/models/definition_repository.h"
#include "fen/models/model_type.h"
#include "fen/models/shell_model.h"

namespace fen::models {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ModelService::ModelService(Env* env, const RepoContext* repo) : env_(env), repo_(repo) {}

Result<Definition> ModelService::FindOrFail(const std::string& id_or_name) {
  DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
  defs.EnableIndex();
  FEN_ASSIGN_OR_RETURN(auto found, defs.Find(id_or_name, &warnings_));
  if (!found) return Status(ErrorCode::kModelNotFound, "Model not found: " + id_or_name);
  return std::move(*found);
}

Result<Json> ModelService::Create(const std::string& raw_type, const std::string& name,
                                  const Json& global_args) {
  auto type = NormalizeModelType(raw_type);
  if (!type.ok() || !IsKnownModelType(*type)) return UnknownModelTypeError(raw_type);
  DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
  FEN_ASSIGN_OR_RETURN(auto all, defs.List(true, &warnings_));
  for (const auto& d : all) {
    if (d.name == name) return Status(ErrorCode::kAlreadyExists, "Model already exists: " + name);
  }
  FEN_RETURN_IF_ERROR(ValidateNewDefinitionName(name));
  Definition def;
  def.type = *type;
  def.type_version = std::string(kShellTypeVersion);
  def.id = NewUuidV4();
  def.name = name;
  def.version = 1;
  def.global_arguments = global_args.is_object() ? global_args : Json::object();
  FEN_RETURN_IF_ERROR(defs.Save(&def));
  Json j = Json::object();
  j["id"] = def.id;
  j["type"] = def.type;
  j["name"] = def.name;
  j["path"] = def.path;
  j["version"] = std::string(kShellTypeVersion);
  j["methods"] = ShellMethodsDescription();
  return j;
}

Result<Json> ModelService::Get(const std::string& id_or_name) {
  FEN_ASSIGN_OR_RETURN(Definition def, FindOrFail(id_or_name));
  bool known = IsKnownModelType(def.type);
  Json j = Json::object();
  j["id"] = def.id;
  j["name"] = def.name;
  j["type"] = def.type;
  j["version"] = def.version;
  j["tags"] = def.tags;
  j["globalArguments"] = def.global_arguments;
  if (def.path.rfind(repo_->datastore_root + "/auto-definitions/", 0) == 0) j["autoCreated"] = true;
  j["typeVersion"] = known ? std::string(kShellTypeVersion) : def.type_version;
  j["methods"] = known ? ShellMethodsDescription() : Json::array();
  return j;
}

Result<Json> ModelService::Search(const std::string& query) {
  DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
  FEN_ASSIGN_OR_RETURN(auto all, defs.List(false, &warnings_));
  std::string q = Lower(query);
  Json results = Json::array();
  for (const auto& d : all) {
    if (!q.empty() && Lower(d.name).find(q) == std::string::npos &&
        Lower(d.type).find(q) == std::string::npos && Lower(d.id).find(q) == std::string::npos) {
      continue;
    }
    results.push_back({{"id", d.id}, {"name", d.name}, {"type", d.type}});
  }
  return Json{{"query", query}, {"results", results}};
}

Result<Json> ModelService::Validate(const std::string& id_or_name) {
  FEN_ASSIGN_OR_RETURN(Definition def, FindOrFail(id_or_name));
  if (!IsKnownModelType(def.type)) {
    return Status(ErrorCode::kUnknownModelType, "Unknown model type: " + def.type);
  }
  Json methods = Json::array();
  bool valid = true;
  std::string first_issue;
  std::string path, expr;
  if (FindExpression(DefinitionToJson(def), "", &path, &expr)) {
    valid = false;
    first_issue = "Unsupported expression ${{ " + expr + " }} at " + path +
                  ": CEL expressions are not supported";
  }
  for (auto it = def.methods.begin(); it != def.methods.end(); ++it) {
    Json issues = Json::array();
    if (it.key() != kShellMethod) {
      issues.push_back("Unknown method '" + it.key() + "' for type '" + def.type +
                       "'. Available methods: execute");
    } else {
      Json merged = def.global_arguments.is_object() ? def.global_arguments : Json::object();
      if (it.value().contains("arguments") && it.value()["arguments"].is_object()) {
        for (auto a = it.value()["arguments"].begin(); a != it.value()["arguments"].end(); ++a) {
          merged[a.key()] = a.value();
        }
      }
      for (const auto& issue : ShellArgumentIssues(merged)) issues.push_back(issue);
    }
    if (!issues.empty()) {
      valid = false;
      if (first_issue.empty()) first_issue = it.key() + ": " + issues[0].get<std::string>();
    }
    methods.push_back({{"name", it.key()}, {"valid", issues.empty()}, {"issues", issues}});
  }
  Json j = Json::object();
  j["id"] = def.id;
  j["name"] = def.name;
  j["type"] = def.type;
  j["path"] = def.path;
  j["valid"] = valid;
  j["methods"] = methods;
  if (!valid) {
    return Status(ErrorCode::kValidationFailed,
                  "Model '" + def.name + "' is invalid: " + first_issue);
  }
  return j;
}

Result<ModelService::DeletePlan> ModelService::PlanDelete(const std::string& id_or_name,
                                                          storage::DataStore* store) {
  DeletePlan plan;
  FEN_ASSIGN_OR_RETURN(plan.def, FindOrFail(id_or_name));
  std::vector<storage::CorruptReport> corrupt;
  FEN_ASSIGN_OR_RETURN(auto records, store->FindAllForModel(plan.def.type, plan.def.id, &corrupt));
  for (const auto& r : records) {
    if (!r.deleted) plan.data_names.push_back(r.name);
  }
  FEN_ASSIGN_OR_RETURN(plan.data_dirs, store->ListDataNames(plan.def.type, plan.def.id));
  const std::string out_dir = repo_->outputs_dir + "/" + plan.def.type;
  auto methods = env_->ListDir(out_dir);
  if (methods.ok()) {
    for (const auto& m : *methods) {
      if (m.type != FileType::kDirectory) continue;
      auto files = env_->ListDir(out_dir + "/" + m.name);
      if (!files.ok()) continue;
      for (const auto& f : *files) {
        if (f.name.rfind(plan.def.id + "-", 0) == 0 && EndsWith(f.name, ".yaml")) {
          plan.run_records.push_back(out_dir + "/" + m.name + "/" + f.name);
        }
      }
    }
  }
  return plan;
}

Result<Json> ModelService::Delete(const std::string& id_or_name, bool force,
                                  storage::DataStore* store, locking::LockManager* locks,
                                  const std::string& command_line) {
  FEN_ASSIGN_OR_RETURN(DeletePlan first, PlanDelete(id_or_name, store));
  locking::LockRequest request;
  request.command = command_line;
  FEN_ASSIGN_OR_RETURN(auto held, locks->AcquireWriter({{first.def.type, first.def.id}}, request));
  // Recompute under the lock (locking.md §6.9).
  FEN_ASSIGN_OR_RETURN(DeletePlan plan, PlanDelete(first.def.id, store));
  const std::string& n = plan.def.name;
  if (!plan.data_names.empty() && !force) {
    return Status(ErrorCode::kValidationFailed,
                  "Model '" + n + "' has " + std::to_string(plan.data_names.size()) +
                      " associated data artifact(s). Delete the data first, or use --force to "
                      "delete all.");
  }
  // Run records first, then data, then the definition (cli.md §6.4 step 5).
  DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
  int64_t outputs = 0;
  for (const auto& path : plan.run_records) {
    FEN_RETURN_IF_ERROR(held->CheckHeld());
    Status s = env_->Unlink(path);
    if (!s.ok() && !s.IsNotFound()) return s;
    ++outputs;
  }
  if (force) {
    for (const auto& name : plan.data_dirs) {
      FEN_RETURN_IF_ERROR(held->CheckHeld());
      FEN_RETURN_IF_ERROR(store->DeleteArtifact({plan.def.type, plan.def.id, name}, &warnings_));
    }
  }
  FEN_RETURN_IF_ERROR(held->CheckHeld());
  FEN_RETURN_IF_ERROR(defs.Remove(plan.def));
  Json deleted = {
      {"id", plan.def.id}, {"name", n}, {"type", plan.def.type}, {"inputPath", plan.def.path}};
  Json j = Json::object();
  j["deleted"] = deleted;
  j["resourceDeleted"] = false;
  j["outputsDeleted"] = outputs;
  j["evaluatedInputDeleted"] = false;
  j["dataDeleted"] = force && !plan.data_dirs.empty();
  j["expiredDataAutoCollected"] = 0;
  return j;
}

}  // namespace fen::models
