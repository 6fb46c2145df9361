// Definition files on disk (cli.md §3.2, §3.6; docs/design/models.md §1).
#include "fen/models/definition_repository.h"

#include "fen/env/durable_file.h"
#include "fen/models/model_type.h"
#include "models/definition_index.h"

namespace fen::models {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

DefinitionRepository::DefinitionRepository(Env* env, std::string repo_dir,
                                           std::string datastore_root)
    : env_(env),
      repo_dir_(std::move(repo_dir)),
      datastore_root_(std::move(datastore_root)),
      models_dir_(repo_dir_ + "/models"),
      auto_dir_(datastore_root_ + "/auto-definitions") {}

DefinitionRepository::~DefinitionRepository() = default;

void DefinitionRepository::EnableIndex(int64_t racy_window_ns) {
  index_ = std::make_unique<DefinitionIndex>(env_, repo_dir_ + "/.swamp/.fen/definition-index",
                                             racy_window_ns);
}

Result<Definition> DefinitionRepository::Load(const std::string& path) {
  FEN_ASSIGN_OR_RETURN(std::string text, env_->ReadFile(path));
  std::string type_from_path;
  for (const std::string* root : {&models_dir_, &auto_dir_}) {
    if (path.rfind(*root + "/", 0) == 0) {
      type_from_path = ParentDir(path.substr(root->size() + 1));
      if (type_from_path == ".") type_from_path.clear();
    }
  }
  // A file read again with the same bytes (a run's lookup, then its re-read under the lock)
  // is not parsed again: parsing is most of a lookup's cost (docs/performance.md).
  auto cached = parsed_.find(path);
  if (cached != parsed_.end() && cached->second.first == text) return cached->second.second;
  ++parse_count_;
  FEN_ASSIGN_OR_RETURN(Definition def, ParseDefinition(text, type_from_path));
  def.path = path;
  parsed_[path] = {std::move(text), def};
  return def;
}

Status DefinitionRepository::ForEachFile(const std::string& dir,
                                         const std::function<Status(const std::string&)>& visit) {
  auto entries = env_->ListDir(dir);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return Status::Ok();
    return entries.status();
  }
  for (const DirEntry& e : *entries) {
    std::string path = dir + "/" + e.name;
    FileType type = e.type;
    if (type == FileType::kSymlink) {
      // Symlinked files are read only if they resolve inside the repo (cli.md §3.2).
      auto real = env_->RealPath(path);
      if (!real.ok() || real->rfind(repo_dir_ + "/", 0) != 0) continue;
      auto info = env_->Stat(path);
      if (!info.ok() || info->type != FileType::kRegular) continue;
      type = FileType::kRegular;
    }
    if (type == FileType::kDirectory) {
      FEN_RETURN_IF_ERROR(ForEachFile(path, visit));
    } else if (type == FileType::kRegular && EndsWith(e.name, ".yaml")) {
      FEN_RETURN_IF_ERROR(visit(path));
    }
  }
  return Status::Ok();
}

namespace {

std::string BrokenWarning(const std::string& path, const std::string& message) {
  return "Skipping broken definition file " + path + ": " + message;
}

}  // namespace

Status DefinitionRepository::Walk(const std::string& dir, std::vector<Definition>* out,
                                  std::vector<std::string>* warnings) {
  return ForEachFile(dir, [&](const std::string& path) -> Status {
    auto def = Load(path);
    if (def.ok()) {
      out->push_back(std::move(def).value());
    } else if (def.status().code() == ErrorCode::kIoError) {
      if (!def.status().IsNotFound()) return def.status();  // a vanished file is skipped
    } else if (warnings != nullptr) {
      warnings->push_back(BrokenWarning(path, def.status().message()));
    }
    return Status::Ok();
  });
}

Result<std::vector<Definition>> DefinitionRepository::List(bool include_auto,
                                                           std::vector<std::string>* warnings) {
  std::vector<Definition> out;
  FEN_RETURN_IF_ERROR(Walk(models_dir_, &out, warnings));
  if (include_auto) FEN_RETURN_IF_ERROR(Walk(auto_dir_, &out, warnings));
  return out;
}

Result<std::optional<Definition>> DefinitionRepository::Find(const std::string& id_or_name,
                                                             std::vector<std::string>* warnings) {
  if (index_ != nullptr) return FindWithIndex(id_or_name, warnings);
  return FindByParsingAll(id_or_name, warnings);
}

// The same walk, the same order and the same warnings as FindByParsingAll, but a file whose
// stamp proves it unchanged is answered from the index (docs/design/models.md §11).
Result<std::optional<Definition>> DefinitionRepository::FindWithIndex(
    const std::string& id_or_name, std::vector<std::string>* warnings) {
  index_->Load();
  std::vector<std::pair<std::string, DefinitionSummary>> files;  // walk order
  auto summarize = [&](const std::string& path) -> Status {
    auto stamp = env_->Stat(path);  // before the read: a racing change shows up next time
    if (!stamp.ok()) return stamp.status().IsNotFound() ? Status::Ok() : stamp.status();
    if (const DefinitionSummary* known = index_->Lookup(path, *stamp)) {
      files.emplace_back(path, *known);
      return Status::Ok();
    }
    auto def = Load(path);
    DefinitionSummary summary;
    if (def.ok()) {
      summary.ok = true;
      summary.name = def->name;
      summary.id = def->id;
      summary.type = def->type;
    } else if (def.status().code() == ErrorCode::kIoError) {
      return def.status().IsNotFound() ? Status::Ok() : def.status();
    } else {
      summary.error = def.status().message();
    }
    index_->Record(path, *stamp, summary);
    files.emplace_back(path, std::move(summary));
    return Status::Ok();
  };
  FEN_RETURN_IF_ERROR(ForEachFile(models_dir_, summarize));
  FEN_RETURN_IF_ERROR(ForEachFile(auto_dir_, summarize));
  index_->SaveIfChanged();

  const std::pair<std::string, DefinitionSummary>* hit = nullptr;
  for (const auto& f : files) {
    if (f.second.ok && f.second.name == id_or_name) {
      hit = &f;
      break;
    }
  }
  for (size_t i = 0; hit == nullptr && i < files.size(); ++i) {
    const DefinitionSummary& sum = files[i].second;
    if (sum.ok && sum.id == id_or_name && IsKnownModelType(sum.type)) hit = &files[i];
  }
  const size_t warnings_before = warnings != nullptr ? warnings->size() : 0;
  if (warnings != nullptr) {
    for (const auto& [path, sum] : files) {
      if (!sum.ok) warnings->push_back(BrokenWarning(path, sum.error));
    }
  }
  if (hit == nullptr) return std::optional<Definition>();
  auto def = Load(hit->first);
  if (def.ok() && def->name == hit->second.name && def->id == hit->second.id &&
      def->type == hit->second.type) {
    return std::optional<Definition>(std::move(def).value());
  }
  // The file changed between its stat and its read: answer as a lookup without the index
  // would (and with its warnings only).
  if (warnings != nullptr) warnings->resize(warnings_before);
  return FindByParsingAll(id_or_name, warnings);
}

Result<std::optional<Definition>> DefinitionRepository::FindByParsingAll(
    const std::string& id_or_name, std::vector<std::string>* warnings) {
  FEN_ASSIGN_OR_RETURN(std::vector<Definition> all, List(true, warnings));
  for (auto& d : all) {
    if (d.name == id_or_name) return std::optional<Definition>(std::move(d));
  }
  for (auto& d : all) {
    if (d.id == id_or_name && IsKnownModelType(d.type)) {
      return std::optional<Definition>(std::move(d));
    }
  }
  return std::optional<Definition>();
}

std::string DefinitionRepository::PathFor(const Definition& def) const {
  std::string base = IsFilenameSafeName(def.name) ? def.name : def.id;
  return models_dir_ + "/" + def.type + "/" + base + ".yaml";
}

Status DefinitionRepository::Save(Definition* def) {
  std::string target = PathFor(*def);
  FEN_RETURN_IF_ERROR(WriteFileDurably(env_, target, SerializeDefinition(*def)));
  if (!def->path.empty() && def->path != target && def->path.rfind(models_dir_ + "/", 0) == 0) {
    // Legacy <uuid>.yaml migrated to <name>.yaml (cli.md §3.2).
    Status s = env_->Unlink(def->path);
    if (!s.ok() && !s.IsNotFound()) return s;
    FEN_RETURN_IF_ERROR(env_->SyncDir(ParentDir(def->path)));
  }
  def->path = target;
  return Status::Ok();
}

Status DefinitionRepository::Remove(const Definition& def) {
  Status s = env_->Unlink(def.path);
  if (!s.ok() && !s.IsNotFound()) return s;
  std::string dir = ParentDir(def.path);
  FEN_RETURN_IF_ERROR(env_->SyncDir(dir));
  while (dir.rfind(models_dir_ + "/", 0) == 0 && dir != models_dir_) {
    if (!env_->RemoveDir(dir).ok()) break;  // not empty (or gone): stop
    dir = ParentDir(dir);
    FEN_RETURN_IF_ERROR(env_->SyncDir(dir));
  }
  return Status::Ok();
}

Result<std::string> DefinitionRepository::WriteEvaluated(const Definition& def) {
  std::string base = IsFilenameSafeName(def.name) ? def.name : def.id;
  std::string path = datastore_root_ + "/definitions-evaluated/" + def.type + "/" + base + ".yaml";
  std::string text = SerializeDefinition(def);
  // Unchanged since the last run: nothing to write (saves two fsyncs per run). The copy is
  // informational (never read back by fen), so the tiny window where an identical file from a
  // crashed writer is visible but not yet durable is acceptable (docs/design/models.md §4).
  auto current = env_->ReadFile(path);
  if (current.ok() && *current == text) return path;
  FEN_RETURN_IF_ERROR(WriteFileDurably(env_, path, text));
  return path;
}

}  // namespace fen::models
