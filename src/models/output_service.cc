// OutputService (include/fen/models/output_service.h; docs/design/models.md §9).
#include "fen/models/output_service.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "fen/base/char_scan.h"
#include "fen/base/error_code.h"
#include "fen/models/definition.h"
#include "fen/models/definition_repository.h"

namespace fen::models {
namespace {

bool EndsWithYaml(const std::string& s) {
  return s.size() > 5 && s.compare(s.size() - 5, 5, ".yaml") == 0;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string StripDashes(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

Json OrNull(const Json& doc, const char* key) { return doc.contains(key) ? doc[key] : Json(); }

const Json& DataArtifacts(const Json& doc) {
  static const Json kEmpty = Json::array();
  if (doc.contains("artifacts") && doc["artifacts"].is_object() &&
      doc["artifacts"].contains("dataArtifacts") && doc["artifacts"]["dataArtifacts"].is_array()) {
    return doc["artifacts"]["dataArtifacts"];
  }
  return kEmpty;
}

std::string TagOf(const Json& artifact, const char* key) {
  if (artifact.contains("tags") && artifact["tags"].is_object() && artifact["tags"].contains(key) &&
      artifact["tags"][key].is_string()) {
    return artifact["tags"][key].get<std::string>();
  }
  return "";
}

std::string StrOf(const Json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return "";
}

}  // namespace

std::string RunRecord::Str(const char* key) const { return StrOf(doc, key); }

OutputService::OutputService(Env* env, const RepoContext* repo) : env_(env), repo_(repo) {}

Status OutputService::Walk(const std::string& dir, const std::string& rel,
                           std::vector<RunRecord>* out) {
  auto entries = env_->ListDir(dir);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return Status::Ok();
    return entries.status();
  }
  for (const auto& e : *entries) {
    const std::string path = dir + "/" + e.name;
    if (e.type == FileType::kDirectory) {
      FEN_RETURN_IF_ERROR(Walk(path, rel.empty() ? e.name : rel + "/" + e.name, out));
      continue;
    }
    if (!EndsWithYaml(e.name)) continue;
    // rel = <type>/<method>; the type itself contains '/' (command/shell).
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) continue;
    auto text = env_->ReadFile(path);
    if (!text.ok()) {
      if (text.status().IsNotFound()) continue;  // removed by a concurrent model delete
      warnings_.push_back("Skipping malformed run record " + path + ": " + text.status().message());
      continue;
    }
    auto doc = YamlToJson(*text);
    std::string problem;
    if (!doc.ok()) {
      problem = doc.status().message();
    } else if (!doc->is_object() || StrOf(*doc, "id").empty() ||
               StrOf(*doc, "definitionId").empty()) {
      problem = "missing id or definitionId";
    }
    if (!problem.empty()) {
      warnings_.push_back("Skipping malformed run record " + path + ": " + problem);
      continue;
    }
    RunRecord r;
    r.path = path;
    r.type = rel.substr(0, slash);
    r.doc = std::move(*doc);
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

Result<std::vector<RunRecord>> OutputService::ListRecords() {
  std::vector<RunRecord> records;
  FEN_RETURN_IF_ERROR(Walk(repo_->outputs_dir, "", &records));
  DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
  std::vector<std::string> def_warnings;
  auto all = defs.List(/*include_auto=*/true, &def_warnings);
  std::map<std::string, std::string> names;
  if (all.ok()) {
    for (const auto& d : *all) names[d.id] = d.name;
  }
  for (auto& r : records) {
    auto it = names.find(r.Str("definitionId"));
    if (it != names.end()) {
      r.model_name = it->second;
      continue;
    }
    for (const auto& a : DataArtifacts(r.doc)) {
      if (!TagOf(a, "modelName").empty()) {
        r.model_name = TagOf(a, "modelName");
        break;
      }
    }
  }
  return records;
}

Result<std::optional<RunRecord>> OutputService::FindById(const std::vector<RunRecord>& records,
                                                         const std::string& id_prefix) {
  // [0-9a-fA-F-]{3,}
  if (id_prefix.size() < 3 ||
      !scan::NonEmptyAll(id_prefix, [](char c) { return scan::IsHexDigit(c) || c == '-'; })) {
    return std::optional<RunRecord>();
  }
  const std::string want = Lower(StripDashes(id_prefix));
  std::vector<const RunRecord*> matches;
  std::set<std::string> ids;
  for (const auto& r : records) {
    const std::string id = r.Str("id");
    if (Lower(StripDashes(id)).rfind(want, 0) == 0 && ids.insert(id).second) {
      matches.push_back(&r);
    }
  }
  if (matches.empty()) return std::optional<RunRecord>();
  if (matches.size() > 1) {
    std::string msg = "Ambiguous ID prefix \"" + id_prefix + "\" matches:";
    for (const auto* m : matches) msg += "\n  " + m->Str("id");
    return Status(ErrorCode::kAmbiguousId, msg);
  }
  return std::optional<RunRecord>(*matches.front());
}

Result<RunRecord> OutputService::FindOutputOrFail(const std::string& output_id) {
  FEN_ASSIGN_OR_RETURN(auto records, ListRecords());
  FEN_ASSIGN_OR_RETURN(auto found, FindById(records, output_id));
  if (!found) return Status(ErrorCode::kOutputNotFound, "Output not found: " + output_id);
  return std::move(*found);
}

Result<Json> OutputService::Get(const std::string& id_or_model) {
  FEN_ASSIGN_OR_RETURN(auto records, ListRecords());
  FEN_ASSIGN_OR_RETURN(auto found, FindById(records, id_or_model));
  if (!found) {
    DefinitionRepository defs(env_, repo_->repo_dir, repo_->datastore_root);
    defs.EnableIndex();
    FEN_ASSIGN_OR_RETURN(auto def, defs.Find(id_or_model, &warnings_));
    if (!def) {
      return Status(ErrorCode::kOutputNotFound, "Output or model not found: " + id_or_model);
    }
    for (const auto& r : records) {
      if (r.Str("definitionId") != def->id) continue;
      if (!found || r.Str("startedAt") > found->Str("startedAt")) found = r;
    }
    if (!found) {
      return Status(ErrorCode::kOutputNotFound,
                    "Output not found: no outputs for model: " + def->name);
    }
  }
  const Json& d = found->doc;
  Json j = Json::object();
  j["id"] = d["id"];
  j["definitionId"] = d["definitionId"];
  j["modelName"] = found->model_name;
  j["type"] = found->type;
  j["methodName"] = OrNull(d, "methodName");
  j["status"] = OrNull(d, "status");
  j["startedAt"] = OrNull(d, "startedAt");
  j["completedAt"] = OrNull(d, "completedAt");
  j["durationMs"] = OrNull(d, "durationMs");
  j["retryCount"] = OrNull(d, "retryCount");
  j["provenance"] = OrNull(d, "provenance");
  j["artifacts"] = Json{{"dataArtifacts", DataArtifacts(d)}};
  j["error"] = OrNull(d, "error");
  return j;
}

Result<Json> OutputService::Search(const std::string& query) {
  FEN_ASSIGN_OR_RETURN(auto records, ListRecords());
  std::stable_sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.Str("startedAt") > b.Str("startedAt");
  });
  const std::string q = Lower(query);
  Json results = Json::array();
  for (const auto& r : records) {
    if (!q.empty()) {
      bool hit = false;
      for (const std::string& s : {r.model_name, r.type, r.Str("methodName"), r.Str("status"),
                                   r.Str("id"), r.Str("definitionId")}) {
        hit = hit || Lower(s).find(q) != std::string::npos;
      }
      if (!hit) continue;
    }
    results.push_back(Json{{"id", r.doc["id"]},
                           {"definitionId", r.doc["definitionId"]},
                           {"modelName", r.model_name},
                           {"type", r.type},
                           {"methodName", OrNull(r.doc, "methodName")},
                           {"status", OrNull(r.doc, "status")},
                           {"startedAt", OrNull(r.doc, "startedAt")},
                           {"durationMs", OrNull(r.doc, "durationMs")}});
  }
  return Json{{"query", query}, {"results", results}};
}

namespace {

struct ArtifactContent {
  Json artifact;
  int64_t version = 0;
  std::string content_type;
  std::string bytes;
};

Result<ArtifactContent> ReadArtifact(const RunRecord& r, const Json& artifact,
                                     std::optional<int64_t> version, storage::DataStore* store) {
  ArtifactContent c;
  c.artifact = artifact;
  const std::string name = StrOf(artifact, "name");
  c.version = version ? *version
                      : (artifact.contains("version") && artifact["version"].is_number_integer()
                             ? artifact["version"].get<int64_t>()
                             : 0);
  storage::ArtifactKey key{r.type, r.Str("definitionId"), name};
  FEN_ASSIGN_OR_RETURN(auto rec, store->FindByName(key, c.version));
  if (!rec) {
    return Status(ErrorCode::kDataNotFound,
                  "Data not found: " + name + " version " + std::to_string(c.version));
  }
  c.content_type = rec->content_type;
  FEN_ASSIGN_OR_RETURN(auto bytes, store->GetContent(key, c.version));
  if (!bytes) {
    return Status(ErrorCode::kContentNotFound,
                  "Content not found for \"" + name + "\" version " + std::to_string(c.version));
  }
  c.bytes = std::move(*bytes);
  return c;
}

}  // namespace

Result<Json> OutputService::Data(const std::string& output_id, const std::string& name,
                                 const std::string& field, std::optional<int64_t> version,
                                 storage::DataStore* store) {
  FEN_ASSIGN_OR_RETURN(RunRecord r, FindOutputOrFail(output_id));
  const Json& arts = DataArtifacts(r.doc);
  const Json* pick = nullptr;
  for (const auto& a : arts) {
    if (!name.empty() ? StrOf(a, "name") == name : TagOf(a, "type") == "data") {
      pick = &a;
      break;
    }
  }
  if (!pick && name.empty() && !arts.empty()) pick = &arts[0];
  if (!pick) {
    return Status(ErrorCode::kDataNotFound,
                  name.empty() ? "Data not found: Output " + r.Str("id") + " has no data artifacts"
                               : "Data not found: Output " + r.Str("id") +
                                     " has no data artifact named \"" + name + "\"");
  }
  FEN_ASSIGN_OR_RETURN(ArtifactContent c, ReadArtifact(r, *pick, version, store));
  Json data = c.bytes;
  if (c.content_type == "application/json") {
    try {
      data = Json::parse(c.bytes);
    } catch (const std::exception&) {
      data = c.bytes;  // not valid JSON after all: hand back the raw string
    }
  }
  Json field_value = Json();
  if (!field.empty()) {
    // Dotted path into the parsed data (docs/design/models.md §9).
    Json cur = data;
    std::stringstream ss(field);
    std::string part;
    while (std::getline(ss, part, '.')) {
      if (!cur.is_object() || !cur.contains(part)) {
        return Status(ErrorCode::kDataNotFound,
                      "Field \"" + field + "\" not found in data \"" + StrOf(*pick, "name") + "\"");
      }
      cur = Json(cur[part]);
    }
    data = cur;
    field_value = field;
  }
  return Json{{"outputId", r.doc["id"]},
              {"methodName", OrNull(r.doc, "methodName")},
              {"dataId", OrNull(*pick, "dataId")},
              {"dataName", OrNull(*pick, "name")},
              {"version", c.version},
              {"contentType", c.content_type},
              {"field", field_value},
              {"data", data}};
}

Result<Json> OutputService::Logs(const std::string& output_id, std::optional<int64_t> tail,
                                 storage::DataStore* store) {
  FEN_ASSIGN_OR_RETURN(RunRecord r, FindOutputOrFail(output_id));
  const Json& arts = DataArtifacts(r.doc);
  const Json* pick = nullptr;
  for (const auto& a : arts) {
    if (TagOf(a, "type") == "log") {
      pick = &a;
      break;
    }
  }
  // fen fix of the swamp quirk (cli.md §6.5): the command/shell `log` artifact is tagged
  // `type: file`; accept it (docs/design/models.md §9).
  for (const auto& a : arts) {
    if (!pick && StrOf(a, "name") == "log" && TagOf(a, "type") == "file") pick = &a;
  }
  if (!pick) {
    return Status(ErrorCode::kOutputNotFound,
                  "Log artifacts not found: Output " + r.Str("id") +
                      " has no log artifacts. Status: " + r.Str("status") +
                      ", Method: " + r.Str("methodName"));
  }
  FEN_ASSIGN_OR_RETURN(ArtifactContent c, ReadArtifact(r, *pick, std::nullopt, store));
  std::vector<std::string> lines;
  std::stringstream ss(c.bytes);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  if (tail && *tail >= 0 && static_cast<size_t>(*tail) < lines.size()) {
    lines.erase(lines.begin(), lines.end() - *tail);
  }
  return Json{{"outputId", r.doc["id"]},
              {"methodName", OrNull(r.doc, "methodName")},
              {"status", OrNull(r.doc, "status")},
              {"dataId", OrNull(*pick, "dataId")},
              {"dataName", OrNull(*pick, "name")},
              {"version", c.version},
              {"lines", lines}};
}

}  // namespace fen::models
