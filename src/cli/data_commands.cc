// `fen data get|list|versions|delete|rename|gc|prune|search` (cli.md §7). Handlers parse
// arguments, resolve the model, call the DataStore / storage maintenance library and render.
// Locking: every mutating command acquires its locks at exactly one call site marked
// AcquireWriterLocks / AcquireStructuralLocks below (locking.md §6.4), taken after any prompt.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/backend_feedback.h"
#include "cli/command_registry.h"
#include "fen/backends.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_format.h"
#include "fen/storage/data_maintenance.h"
#include "fen/storage/data_store.h"
#include "fen/storage/filesystem_data_store.h"
#include "fen/storage/model_lookup.h"

namespace fen::cli {
namespace {

using storage::ArtifactKey;
using storage::CorruptReport;
using storage::DataRecord;
using storage::ModelDefinitionRef;

Status InvalidArgs(std::string message) {
  return Status(ErrorCode::kInvalidArguments, std::move(message));
}

struct Session {
  RepoContext repo;
  std::unique_ptr<storage::DataStore> store;
  std::unique_ptr<locking::LockManager> locks;
};

// Writer commands (`data delete`, `data rename`) hold the model's lock (locking.md §6.4).
// Called only after any confirmation prompt has been answered (locking.md §6.9).
Result<std::unique_ptr<locking::LockSet>> AcquireWriterLocks(CommandContext& ctx, Session& s,
                                                             const ModelDefinitionRef& model,
                                                             const std::string& command) {
  return s.locks->AcquireWriter({{model.type, model.id}}, CliLockRequest(ctx, command));
}

// Structural commands (`data gc`, `data prune`, not in dry-run) hold the scope's global lock
// exclusively (locking.md §6.4).
Result<std::unique_ptr<locking::LockSet>> AcquireStructuralLocks(CommandContext& ctx, Session& s,
                                                                 const std::string& command) {
  return s.locks->AcquireStructural(CliLockRequest(ctx, command));
}

Result<Session> OpenSession(CommandContext& ctx) {
  FEN_ASSIGN_OR_RETURN(RepoContext repo, OpenCommandRepo(ctx));
  FEN_ASSIGN_OR_RETURN(auto store, OpenDataStore(ctx.env, repo, CliDataStoreOptions(ctx)));
  FEN_ASSIGN_OR_RETURN(auto locks, OpenLockManager(ctx.env, repo));
  return Session{repo, std::move(store), std::move(locks)};
}

// storage.md §6.5 report format, on stderr in both modes.
void PrintReports(CommandContext& ctx, const std::vector<CorruptReport>& reports) {
  for (const auto& r : reports) {
    Json fields = Json::object();
    fields["path"] = r.path;
    fields["error"] = r.reason;
    ctx.out.Warning("corrupt_data", "skipping corrupt data " + r.path + ": " + r.reason, fields);
  }
}

void PrintWarnings(CommandContext& ctx, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    Json fields = Json::object();
    fields["error"] = w;
    ctx.out.Warning("cleanup_failed", w, fields);
  }
}

Json GcJson(const storage::GcPolicy& gc) {
  if (const int64_t* n = std::get_if<int64_t>(&gc)) return *n;
  return std::get<std::string>(gc);
}

Json TagsJson(const storage::OrderedStringMap& tags) {
  Json j = Json::object();
  for (const auto& [k, v] : tags) j[k] = v;
  return j;
}

Json OwnerJson(const storage::OwnerDefinition& o) {
  Json j = Json::object();
  j["ownerType"] = o.owner_type;
  j["ownerRef"] = o.owner_ref;
  for (const auto& [k, v] : o.extra) j[k] = v;
  return j;
}

std::string RelativeToRepo(const std::string& path, const std::string& repo) {
  return std::filesystem::path(path).lexically_relative(repo).string();
}

// True when the command will ask the user before changing anything (log mode, a terminal on
// stdin, no -y/-f). Prompts are always answered before any lock is taken (locking.md §6.9).
bool WillPrompt(CommandContext& ctx, bool yes) {
  return !yes && !ctx.out.json() && isatty(STDIN_FILENO) == 1;
}

bool ConfirmOnTty(CommandContext& ctx, const std::string& question, bool yes) {
  if (!WillPrompt(ctx, yes)) return true;
  ctx.out.out() << question << " (y/N) " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

// ---- data get ----
struct GetArgs {
  std::string model, name, model_flag, name_flag, workflow, run;
  int64_t version = 0;
  bool no_content = false;
};

Status RunGet(CommandContext& ctx, const GetArgs& a) {
  std::string model = a.model_flag.empty() ? a.model : a.model_flag;
  std::string name = a.name_flag.empty() ? a.name : a.name_flag;
  if (!a.workflow.empty()) {
    if (!a.model.empty() && !a.name.empty()) {
      return InvalidArgs("Too many arguments. Usage: swamp data get --workflow <name> <data_name>");
    }
    return InvalidArgs("Workflow-scoped data lookups (--workflow) are not supported yet.");
  }
  if (model.empty()) return InvalidArgs("Either a model name or --workflow is required.");
  if (name.empty()) {
    return InvalidArgs("A data name is required. Usage: swamp data get <model> <data_name>");
  }
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                       storage::FindModelByNameOrId(ctx.env, s.repo, model));
  ArtifactKey key{def.type, def.id, name};
  std::optional<int64_t> version;
  if (a.version != 0) version = a.version;
  FEN_ASSIGN_OR_RETURN(std::optional<DataRecord> rec, s.store->FindByName(key, version));
  if (!rec) {
    std::string msg = "Data not found: \"" + name + "\" for model \"" + model + "\"";
    if (version) msg += " (version " + std::to_string(*version) + ")";
    return Status(ErrorCode::kDataNotFound, msg);
  }
  ArtifactKey found{def.type, def.id, rec->name};
  std::string path = s.store->ContentPath(found, rec->version);
  std::optional<std::string> content;
  if (!a.no_content) {
    FEN_ASSIGN_OR_RETURN(content, s.store->GetContent(found, rec->version));
  }
  Json j = Json::object();
  j["id"] = rec->id;
  j["name"] = rec->name;
  j["modelId"] = def.id;
  j["modelName"] = def.name;
  j["modelType"] = def.type;
  j["version"] = rec->version;
  j["contentType"] = rec->content_type;
  j["lifetime"] = rec->lifetime;
  j["garbageCollection"] = GcJson(rec->garbage_collection);
  j["streaming"] = rec->streaming;
  j["tags"] = TagsJson(rec->tags);
  j["ownerDefinition"] = OwnerJson(rec->owner);
  j["createdAt"] = rec->created_at;
  if (rec->size) j["size"] = *rec->size;
  if (rec->checksum) j["checksum"] = *rec->checksum;
  j["contentPath"] = RelativeToRepo(path, s.repo.repo_dir);
  if (content) {
    if (rec->content_type == "application/json") {
      Json parsed = Json::parse(*content, nullptr, false);
      j["content"] = parsed.is_discarded() ? Json(*content) : parsed;
    } else {
      j["content"] = *content;
    }
  }
  if (ctx.out.json()) {
    ctx.out.Document(j);
    return Status::Ok();
  }
  ctx.out.Line("Data: " + rec->name + " (v" + std::to_string(rec->version) + ")");
  ctx.out.Line("Model: " + def.name + " (" + def.type + ")");
  ctx.out.Line("Content: " + rec->content_type);
  ctx.out.Line("Lifetime: " + rec->lifetime + " | GC: " + GcJson(rec->garbage_collection).dump());
  std::string tags;
  for (const auto& [k, v] : rec->tags) tags += (tags.empty() ? "" : ", ") + k + "=" + v;
  ctx.out.Line("Tags: " + tags);
  ctx.out.Line("Owner: " + rec->owner.owner_type + " (" + rec->owner.owner_ref + ")");
  ctx.out.Line("Created: " + rec->created_at);
  ctx.out.Line("Path: " + j["contentPath"].get<std::string>());
  if (content) {
    ctx.out.Line("");
    ctx.out.Line(*content);
  }
  return Status::Ok();
}

// ---- data list ----
int GroupRank(const std::string& type) {
  static const char* kOrder[] = {"log", "file", "resource", "data"};
  for (int i = 0; i < 4; ++i) {
    if (type == kOrder[i]) return i;
  }
  return 4;
}

bool LocaleLess(const std::string& a, const std::string& b) {
  std::string la, lb;
  for (char c : a) la.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (char c : b) lb.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (la != lb) return la < lb;
  return a < b;
}

struct ListArgs {
  std::string model, model_flag, type, workflow, run;
};

Status RunList(CommandContext& ctx, const ListArgs& a) {
  std::string model = a.model_flag.empty() ? a.model : a.model_flag;
  if (!model.empty() && !a.workflow.empty()) {
    return InvalidArgs("Cannot specify both a model and --workflow. Use one or the other.");
  }
  if (!a.workflow.empty()) {
    return InvalidArgs("Workflow-scoped data listings (--workflow) are not supported yet.");
  }
  if (model.empty()) return InvalidArgs("Either a model name or --workflow is required.");
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                       storage::FindModelByNameOrId(ctx.env, s.repo, model));
  std::vector<CorruptReport> reports;
  FEN_ASSIGN_OR_RETURN(std::vector<DataRecord> items,
                       s.store->FindAllForModel(def.type, def.id, &reports));
  PrintReports(ctx, reports);
  std::vector<std::string> group_types;
  for (const auto& r : items) {
    std::string t = r.TagOr("type");
    if (!a.type.empty() && t != a.type) continue;
    if (std::find(group_types.begin(), group_types.end(), t) == group_types.end()) {
      group_types.push_back(t);
    }
  }
  std::sort(group_types.begin(), group_types.end(), [](const auto& x, const auto& y) {
    int rx = GroupRank(x), ry = GroupRank(y);
    return rx != ry ? rx < ry : x < y;
  });
  std::sort(items.begin(), items.end(),
            [](const DataRecord& x, const DataRecord& y) { return LocaleLess(x.name, y.name); });
  Json j = Json::object();
  j["modelId"] = def.id;
  j["modelName"] = def.name;
  j["modelType"] = def.type;
  if (!s.repo.ns.empty()) j["namespace"] = s.repo.ns;
  Json groups = Json::array();
  int total = 0;
  for (const auto& t : group_types) {
    Json g = Json::object();
    g["type"] = t;
    Json list = Json::array();
    for (const auto& r : items) {
      if (r.TagOr("type") != t) continue;
      Json it = Json::object();
      it["id"] = r.id;
      it["name"] = r.name;
      it["version"] = r.version;
      it["contentType"] = r.content_type;
      it["type"] = t;
      it["streaming"] = r.streaming;
      if (r.size) it["size"] = *r.size;
      it["createdAt"] = r.created_at;
      list.push_back(it);
      ++total;
    }
    g["items"] = list;
    groups.push_back(g);
  }
  j["groups"] = groups;
  j["total"] = total;
  if (ctx.out.json()) {
    ctx.out.Document(j);
    return Status::Ok();
  }
  ctx.out.Line("Data for " + def.name + " (" + def.type + "):");
  for (const auto& g : j["groups"]) {
    ctx.out.Line("");
    ctx.out.Line(g["type"].get<std::string>() + ":");
    for (const auto& it : g["items"]) {
      ctx.out.Line("  " + it["name"].get<std::string>() + " (v" +
                   std::to_string(it["version"].get<int64_t>()) + ", " +
                   it["contentType"].get<std::string>() + ")");
    }
  }
  ctx.out.Line("");
  ctx.out.Line(std::to_string(total) + " item(s)");
  return Status::Ok();
}

// ---- data versions ----
struct VersionsArgs {
  std::string model, name, model_flag, name_flag;
};

Status RunVersions(CommandContext& ctx, const VersionsArgs& a) {
  std::string model = a.model_flag.empty() ? a.model : a.model_flag;
  std::string name = a.name_flag.empty() ? a.name : a.name_flag;
  if (model.empty() || name.empty()) {
    return InvalidArgs(
        "Both model and data name are required. Use positional arguments (swamp data versions "
        "<model> <name>) or flags (--model <model> --name <name>).");
  }
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                       storage::FindModelByNameOrId(ctx.env, s.repo, model));
  ArtifactKey key{def.type, def.id, name};
  std::vector<CorruptReport> reports;
  FEN_ASSIGN_OR_RETURN(std::vector<DataRecord> records, s.store->ReadAllVersions(key, &reports));
  PrintReports(ctx, reports);
  if (records.empty()) {
    return Status(ErrorCode::kDataNotFound,
                  "Data not found: \"" + name + "\" for model \"" + model + "\"");
  }
  FEN_ASSIGN_OR_RETURN(std::vector<int64_t> complete, s.store->ListVersions(key));
  int64_t highest = complete.empty() ? 0 : complete.back();
  Json versions = Json::array();
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    Json v = Json::object();
    v["version"] = it->version;
    v["createdAt"] = it->created_at;
    if (it->size) v["size"] = *it->size;
    if (it->checksum) v["checksum"] = *it->checksum;
    v["isLatest"] = it->version == highest;
    versions.push_back(v);
  }
  Json j = Json::object();
  j["dataName"] = name;
  j["modelId"] = def.id;
  j["modelName"] = def.name;
  j["modelType"] = def.type;
  j["versions"] = versions;
  j["total"] = versions.size();
  ctx.out.Document(j);  // JSON in both modes (cli.md §7.4, reproduced quirk)
  return Status::Ok();
}

// ---- data delete ----
struct DeleteArgs {
  std::string model, name, model_flag, name_flag, prefix;
  int64_t version = 0;
  CLI::Option* prefix_opt = nullptr;
  CLI::Option* version_opt = nullptr;
  bool prefix_given = false;
  bool version_given = false;
  bool all = false, dry_run = false, yes = false, force = false;
};

std::string JoinVersions(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t n : v) out += (out.empty() ? "" : ", ") + std::to_string(n);
  return out;
}

Status RunDelete(CommandContext& ctx, DeleteArgs& a) {
  a.prefix_given = a.prefix_opt->count() > 0;
  a.version_given = a.version_opt->count() > 0;
  std::string model = a.model_flag.empty() ? a.model : a.model_flag;
  std::string name = a.name_flag.empty() ? a.name : a.name_flag;
  const bool batch = a.prefix_given || a.all;
  if (batch) {
    if (model.empty()) {
      return InvalidArgs(
          "Model is required for batch delete. Use positional argument (swamp data delete "
          "<model> --prefix <prefix>) or flag (--model <model>).");
    }
    if (!name.empty()) {
      return InvalidArgs(
          "Cannot combine data name with --prefix or --all. Use either a data name or "
          "--prefix/--all.");
    }
    if (a.version_given) {
      return InvalidArgs(
          "Cannot combine --version with --prefix or --all. Version-specific delete only "
          "applies to single data names.");
    }
    if (a.prefix_given && a.prefix.empty()) {
      return InvalidArgs("--prefix value cannot be empty. Use --all to delete all data.");
    }
    if (a.prefix_given && a.all) {
      return InvalidArgs("Cannot combine --prefix and --all. Use one or the other.");
    }
  } else {
    if (model.empty() || name.empty()) {
      return InvalidArgs(
          "Both model and data name are required. Usage: swamp data delete <model> "
          "<data_name> [--version <n>]");
    }
    if (a.dry_run) return InvalidArgs("--dry-run is only supported with --prefix or --all.");
  }
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                       storage::FindModelByNameOrId(ctx.env, s.repo, model));
  const bool yes = a.yes || a.force;

  if (!batch) {
    ArtifactKey key{def.type, def.id, name};
    // storage.md §6.6 pre-checks. Run before the prompt (to show the plan) and again under the
    // lock, because a concurrent writer may have changed the versions meanwhile.
    auto precheck = [&]() -> Result<std::vector<int64_t>> {
      FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, s.store->ListVersions(key));
      if (versions.empty()) {
        return Status(ErrorCode::kDataNotFound,
                      "No data named \"" + name + "\" exists for model " + def.name);
      }
      if (a.version_given &&
          std::find(versions.begin(), versions.end(), a.version) == versions.end()) {
        return Status(ErrorCode::kVersionNotFound,
                      "Version " + std::to_string(a.version) + " does not exist for \"" + name +
                          "\" (available versions: " + JoinVersions(versions) + ")");
      }
      return versions;
    };
    if (WillPrompt(ctx, yes)) {
      FEN_ASSIGN_OR_RETURN(std::vector<int64_t> shown, precheck());
      std::string what = a.version_given
                             ? "version " + std::to_string(a.version) + " of \"" + name + "\""
                             : std::to_string(shown.size()) + " version(s) of \"" + name + "\"";
      if (!ConfirmOnTty(ctx, "Delete " + what + " for " + def.name + "?", yes)) {
        ctx.out.Line("Delete cancelled.");
        return Status::Ok();
      }
    }
    FEN_ASSIGN_OR_RETURN(auto locks, AcquireWriterLocks(ctx, s, def, "data delete"));
    FEN_ASSIGN_OR_RETURN(std::vector<int64_t> versions, precheck());
    std::vector<std::string> warnings;
    if (a.version_given) {
      FEN_RETURN_IF_ERROR(s.store->DeleteVersions(key, {a.version}, &warnings));
    } else {
      FEN_RETURN_IF_ERROR(s.store->DeleteArtifact(key, &warnings));
    }
    PrintWarnings(ctx, warnings);
    int64_t deleted = a.version_given ? 1 : static_cast<int64_t>(versions.size());
    if (ctx.out.json()) {
      Json j = Json::object();
      j["modelId"] = def.id;
      j["modelName"] = def.name;
      j["modelType"] = def.type;
      j["dataName"] = name;
      if (a.version_given) j["version"] = a.version;
      j["versionsDeleted"] = deleted;
      ctx.out.Document(j);
    } else if (a.version_given) {
      ctx.out.Line("Deleted version " + std::to_string(a.version) + " of " + name + " for " +
                   def.name + " (" + def.type + ")");
    } else {
      ctx.out.Line("Deleted " + std::to_string(deleted) + " version(s) of " + name + " for " +
                   def.name + " (" + def.type + ")");
    }
    return Status::Ok();
  }

  // Batch (storage.md §6.7). Without a prompt the lock is taken first and the selection made
  // under it; with a prompt the selection is shown unlocked, then recomputed under the lock and
  // limited to what the user was shown (locking.md §6.9).
  auto select = [&]() -> Result<std::vector<std::string>> {
    std::vector<CorruptReport> reports;
    FEN_ASSIGN_OR_RETURN(std::vector<DataRecord> items,
                         s.store->FindAllForModel(def.type, def.id, &reports));
    PrintReports(ctx, reports);
    std::vector<std::string> matches;
    for (const auto& r : items) {
      if (a.all || r.name.rfind(a.prefix, 0) == 0) matches.push_back(r.name);
    }
    if (matches.empty()) {
      return Status(
          ErrorCode::kDataNotFound,
          a.all ? "No data matching any data found for model " + def.name
                : "No data matching prefix \"" + a.prefix + "\" found for model " + def.name);
    }
    return matches;
  };
  std::unique_ptr<locking::LockSet> locks;
  std::vector<std::string> matches;
  if (!a.dry_run && WillPrompt(ctx, yes)) {
    FEN_ASSIGN_OR_RETURN(std::vector<std::string> shown, select());
    if (!ConfirmOnTty(
            ctx,
            "Delete " + std::to_string(shown.size()) + " data artifact(s) from " + def.name + "?",
            yes)) {
      ctx.out.Line("Delete cancelled.");
      return Status::Ok();
    }
    FEN_ASSIGN_OR_RETURN(locks, AcquireWriterLocks(ctx, s, def, "data delete"));
    FEN_ASSIGN_OR_RETURN(std::vector<std::string> now, select());
    for (const auto& n : now) {
      if (std::find(shown.begin(), shown.end(), n) != shown.end()) matches.push_back(n);
    }
  } else {
    if (!a.dry_run) {
      FEN_ASSIGN_OR_RETURN(locks, AcquireWriterLocks(ctx, s, def, "data delete"));
    }
    FEN_ASSIGN_OR_RETURN(matches, select());
  }
  int64_t total = 0, total_versions = 0;
  Json failed = Json::array();
  for (const auto& n : matches) {
    ArtifactKey key{def.type, def.id, n};
    auto versions = s.store->ListVersions(key);
    Status st = versions.status();
    std::vector<std::string> warnings;
    if (st.ok() && !a.dry_run) st = s.store->DeleteArtifact(key, &warnings);
    PrintWarnings(ctx, warnings);
    if (!st.ok()) {
      Json f = Json::object();
      f["dataName"] = n;
      f["error"] = st.message();
      failed.push_back(f);
      if (!ctx.out.json())
        ctx.out.Warning("delete_failed", "Failed to delete " + n + ": " + st.message());
      continue;
    }
    ++total;
    total_versions += static_cast<int64_t>(versions->size());
  }
  if (ctx.out.json()) {
    Json j = Json::object();
    j["modelId"] = def.id;
    j["modelName"] = def.name;
    j["modelType"] = def.type;
    j["totalDeleted"] = total;
    j["totalVersionsDeleted"] = total_versions;
    j["failed"] = failed;
    j["dryRun"] = a.dry_run;
    ctx.out.Document(j);
  } else {
    ctx.out.Line(std::string(a.dry_run ? "Would delete " : "Deleted ") + std::to_string(total) +
                 " data artifact(s) (" + std::to_string(total_versions) + " version(s)) from " +
                 def.name + " (" + def.type + ")");
  }
  return Status::Ok();
}

// ---- data rename ----
struct RenameArgs {
  std::string model, old_name, new_name, model_flag, name_flag, new_name_flag;
};

Status RunRename(CommandContext& ctx, const RenameArgs& a) {
  std::string model = a.model_flag.empty() ? a.model : a.model_flag;
  std::string old_name = a.name_flag.empty() ? a.old_name : a.name_flag;
  std::string new_name = a.new_name_flag.empty() ? a.new_name : a.new_name_flag;
  if (model.empty() || old_name.empty() || new_name.empty()) {
    return InvalidArgs(
        "Model, current name, and new name are all required. Usage: swamp data rename <model> "
        "<old_name> <new_name>");
  }
  if (old_name == new_name) return InvalidArgs("Old name and new name must be different.");
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                       storage::FindModelByNameOrId(ctx.env, s.repo, model));
  FEN_ASSIGN_OR_RETURN(auto locks, AcquireWriterLocks(ctx, s, def, "data rename"));
  FEN_ASSIGN_OR_RETURN(storage::RenameResult r,
                       s.store->Rename(ArtifactKey{def.type, def.id, old_name}, new_name));
  std::string warning = "Any workflows or models that produce data under \"" + old_name +
                        "\" will overwrite the forward reference. Update them to use \"" +
                        new_name + "\" instead.";
  if (ctx.out.json()) {
    Json j = Json::object();
    j["oldName"] = old_name;
    j["newName"] = new_name;
    j["modelId"] = def.id;
    j["modelName"] = def.name;
    j["modelType"] = def.type;
    j["copiedVersion"] = r.copied_version;
    j["newVersion"] = r.new_version;
    j["warning"] = warning;
    ctx.out.Document(j);
  } else {
    ctx.out.Line("Renamed " + old_name + " to " + new_name + " for " + def.name + " (copied v" +
                 std::to_string(r.copied_version) + " as v" + std::to_string(r.new_version) + ")");
    ctx.out.Warning("rename_forward_reference", warning);
  }
  return Status::Ok();
}

// ---- data gc / prune ----
struct GcArgs {
  bool dry_run = false, yes = false, force = false;
};

Json WithWal(Json j) {
  j["walPagesTotal"] = 0;  // fen does not checkpoint swamp's catalog (storage.md §6.10 open)
  j["walPagesCheckpointed"] = 0;
  return j;
}

Json GcResultJson(const storage::GcResult& r) {
  Json j = Json::object();
  j["dataEntriesExpired"] = r.data_entries_expired;
  j["versionsDeleted"] = r.versions_deleted;
  j["bytesReclaimed"] = r.bytes_reclaimed;
  j["dryRun"] = r.dry_run;
  Json expired = Json::array();
  for (const auto& e : r.expired) {
    Json x = Json::object();
    x["type"] = e.type;
    x["modelId"] = e.model_id;
    x["dataName"] = e.data_name;
    x["reason"] = e.reason;
    x["versionCount"] = e.version_count;
    expired.push_back(x);
  }
  j["expiredEntries"] = expired;
  return WithWal(j);
}

Status RunGc(CommandContext& ctx, const GcArgs& a) {
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  const bool yes = a.yes || a.force;
  std::unique_ptr<locking::LockSet> locks;
  if (!a.dry_run && WillPrompt(ctx, yes)) {
    // Show the plan unlocked, lock after the answer, and re-plan under the lock; if the plan
    // grew meanwhile, release and ask again (locking.md §6.9).
    FEN_ASSIGN_OR_RETURN(storage::GcResult preview,
                         storage::CollectGarbage(ctx.env, s.repo, s.store.get(), true));
    for (;;) {
      if (preview.data_entries_expired == 0 && preview.versions_deleted == 0) {
        ctx.out.Line("Nothing to clean up.");
        return Status::Ok();
      }
      ctx.out.Line("Expired data entries: " + std::to_string(preview.data_entries_expired) +
                   ", versions to delete: " + std::to_string(preview.versions_deleted));
      if (!ConfirmOnTty(ctx, "Proceed with garbage collection?", false)) {
        ctx.out.Line("GC cancelled.");
        return Status::Ok();
      }
      FEN_ASSIGN_OR_RETURN(locks, AcquireStructuralLocks(ctx, s, "data gc"));
      FEN_ASSIGN_OR_RETURN(storage::GcResult now,
                           storage::CollectGarbage(ctx.env, s.repo, s.store.get(), true));
      if (now.data_entries_expired <= preview.data_entries_expired &&
          now.versions_deleted <= preview.versions_deleted) {
        break;
      }
      locks.reset();
      preview = std::move(now);
    }
  } else if (!a.dry_run) {
    FEN_ASSIGN_OR_RETURN(locks, AcquireStructuralLocks(ctx, s, "data gc"));
  }
  auto progress = [&ctx](std::string_view line) { ctx.out.Progress(line); };
  auto gc_result = storage::CollectGarbage(ctx.env, s.repo, s.store.get(), a.dry_run, -1, progress);
  ctx.out.Progress("");  // clears the progress line (TTY only)
  FEN_ASSIGN_OR_RETURN(storage::GcResult r, std::move(gc_result));
  PrintReports(ctx, r.reports);
  PrintWarnings(ctx, r.warnings);
  if (ctx.out.json()) {
    ctx.out.Document(GcResultJson(r));
  } else {
    ctx.out.Line(std::string(a.dry_run ? "Would delete " : "Deleted ") +
                 std::to_string(r.versions_deleted) + " version(s), " +
                 std::to_string(r.data_entries_expired) + " expired data entr(ies), " +
                 std::to_string(r.bytes_reclaimed) + " bytes");
  }
  return Status::Ok();
}

Status RunPrune(CommandContext& ctx, const GcArgs& a) {
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  const bool yes = a.yes || a.force;
  std::unique_ptr<locking::LockSet> locks;
  if (!a.dry_run && WillPrompt(ctx, yes)) {
    // As gc: plan unlocked, lock after the answer, re-plan under the lock (locking.md §6.9).
    FEN_ASSIGN_OR_RETURN(storage::PruneResult preview,
                         storage::PruneOrphans(ctx.env, s.repo, s.store.get(), true));
    auto shown = [](const storage::PruneResult& r) {
      std::vector<std::string> ids;
      for (const auto& m : r.models) ids.push_back(m.type + "/" + m.model_id);
      std::sort(ids.begin(), ids.end());
      return ids;
    };
    for (;;) {
      if (preview.models.empty()) {
        ctx.out.Line("No orphaned data to reclaim.");
        return Status::Ok();
      }
      for (const auto& m : preview.models) ctx.out.Line("  " + m.type + "/" + m.model_id);
      if (!ConfirmOnTty(ctx, "Reclaim this orphaned data?", false)) {
        ctx.out.Line("Prune cancelled.");
        return Status::Ok();
      }
      FEN_ASSIGN_OR_RETURN(locks, AcquireStructuralLocks(ctx, s, "data prune"));
      FEN_ASSIGN_OR_RETURN(storage::PruneResult now,
                           storage::PruneOrphans(ctx.env, s.repo, s.store.get(), true));
      std::vector<std::string> before = shown(preview), after = shown(now);
      if (std::includes(before.begin(), before.end(), after.begin(), after.end())) break;
      locks.reset();
      preview = std::move(now);
    }
  } else if (!a.dry_run) {
    FEN_ASSIGN_OR_RETURN(locks, AcquireStructuralLocks(ctx, s, "data prune"));
  }
  FEN_ASSIGN_OR_RETURN(storage::PruneResult r,
                       storage::PruneOrphans(ctx.env, s.repo, s.store.get(), a.dry_run));
  PrintReports(ctx, r.reports);
  PrintWarnings(ctx, r.warnings);
  if (ctx.out.json()) {
    Json j = Json::object();
    j["modelsReclaimed"] = r.models.size();
    int64_t entries = 0, versions = 0, bytes = 0;
    Json models = Json::array();
    for (const auto& m : r.models) {
      entries += static_cast<int64_t>(m.data_names.size());
      versions += m.version_count;
      bytes += m.bytes_reclaimed;
      Json x = Json::object();
      x["type"] = m.type;
      x["modelId"] = m.model_id;
      if (!m.model_name.empty()) x["modelName"] = m.model_name;
      x["dataNames"] = m.data_names;
      x["versionCount"] = m.version_count;
      x["bytesReclaimed"] = m.bytes_reclaimed;
      models.push_back(x);
    }
    j["dataEntriesReclaimed"] = entries;
    j["versionsDeleted"] = versions;
    j["bytesReclaimed"] = bytes;
    j["dryRun"] = a.dry_run;
    j["reclaimedModels"] = models;
    ctx.out.Document(WithWal(j));
  } else if (r.models.empty()) {
    ctx.out.Line("No orphaned data to reclaim.");
  } else {
    ctx.out.Line(std::string(a.dry_run ? "Would reclaim " : "Reclaimed ") +
                 std::to_string(r.models.size()) + " orphaned model(s)");
  }
  return Status::Ok();
}

// ---- data search ----
struct SearchArgs {
  std::string query, type, lifetime, owner_type, workflow, model, content_type, since, output, run;
  std::vector<std::string> tags;
  bool streaming = false;
  int64_t limit = 50;
};

Status RunSearch(CommandContext& ctx, const SearchArgs& a) {
  storage::SearchFilters f;
  f.query = a.query;
  f.type = a.type;
  f.lifetime = a.lifetime;
  f.owner_type = a.owner_type;
  f.workflow = a.workflow;
  f.content_type = a.content_type;
  f.output = a.output;
  f.run = a.run;
  f.streaming = a.streaming;
  f.limit = a.limit;
  Json filters = Json::object();
  if (!a.since.empty()) {
    auto ms = storage::ParseDurationMillis(a.since);
    if (!ms) {
      return InvalidArgs("Invalid duration format: \"" + a.since +
                         "\". Expected format like 1h, 1d, 7d, 1w, 1mo");
    }
    f.since_ms = *ms;
  }
  for (const auto& t : a.tags) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgs("Invalid tag format: \"" + t + "\". Expected KEY=VALUE");
    }
    f.tags.emplace_back(t.substr(0, eq), t.substr(eq + 1));
  }
  FEN_ASSIGN_OR_RETURN(Session s, OpenSession(ctx));
  if (!a.model.empty()) {
    FEN_ASSIGN_OR_RETURN(ModelDefinitionRef def,
                         storage::FindModelByNameOrId(ctx.env, s.repo, a.model));
    f.model_name = def.name;
  }
  if (!a.type.empty()) filters["type"] = a.type;
  if (!a.lifetime.empty()) filters["lifetime"] = a.lifetime;
  if (!a.owner_type.empty()) filters["ownerType"] = a.owner_type;
  if (!a.workflow.empty()) filters["workflow"] = a.workflow;
  if (!a.model.empty()) filters["model"] = a.model;
  if (!a.content_type.empty()) filters["contentType"] = a.content_type;
  if (!a.since.empty()) filters["since"] = a.since;
  if (!a.output.empty()) filters["output"] = a.output;
  if (!a.run.empty()) filters["run"] = a.run;
  for (const auto& [k, v] : f.tags) filters["tag:" + k] = v;
  if (a.streaming) filters["streaming"] = "true";
  FEN_ASSIGN_OR_RETURN(storage::SearchResult r,
                       storage::SearchData(ctx.env, s.repo, s.store.get(), f));
  PrintReports(ctx, r.reports);
  Json results = Json::array();
  for (const auto& hit : r.hits) {
    const DataRecord& rec = hit.record;
    Json x = Json::object();
    x["id"] = rec.id;
    x["name"] = rec.name;
    x["version"] = rec.version;
    x["contentType"] = rec.content_type;
    x["type"] = rec.TagOr("type");
    x["lifetime"] = rec.lifetime;
    x["ownerType"] = rec.owner.owner_type;
    x["ownerRef"] = rec.owner.owner_ref;
    x["modelId"] = hit.model_id;
    x["modelName"] = hit.model_name;
    x["modelType"] = hit.model_type;
    x["streaming"] = rec.streaming;
    if (rec.size) x["size"] = *rec.size;
    x["createdAt"] = rec.created_at;
    x["tags"] = TagsJson(rec.tags);
    if (!rec.TagOr("workflow").empty()) x["workflowTag"] = rec.TagOr("workflow");
    if (!rec.TagOr("job").empty()) x["jobTag"] = rec.TagOr("job");
    if (!rec.TagOr("step").empty()) x["stepTag"] = rec.TagOr("step");
    results.push_back(x);
  }
  // JSON is forced with --json or a non-TTY stdin; fen has no interactive picker, so log mode
  // on a TTY prints a plain listing (cli.md §7.9).
  if (ctx.out.json() || isatty(STDIN_FILENO) != 1) {
    Json j = Json::object();
    j["query"] = a.query;
    j["filters"] = filters;
    j["results"] = results;
    j["total"] = r.total;
    j["limited"] = r.limited;
    ctx.out.Document(j);
    return Status::Ok();
  }
  for (const auto& x : results) {
    ctx.out.Line(x["modelName"].get<std::string>() + "/" + x["name"].get<std::string>() + " v" +
                 std::to_string(x["version"].get<int64_t>()) + " (" + x["type"].get<std::string>() +
                 ", " + x["createdAt"].get<std::string>() + ")");
  }
  ctx.out.Line(std::to_string(r.total) + " result(s)");
  return Status::Ok();
}

}  // namespace

void RegisterDataCommands(CommandRegistry& registry) {
  CLI::App* data = registry.Group(nullptr, "data", "Inspect and manage versioned model data");

  auto get = std::make_shared<GetArgs>();
  CLI::App* g = registry.Command(data, "get", "Show one version of a data artifact",
                                 [get](CommandContext& ctx) { return RunGet(ctx, *get); });
  g->add_option("model", get->model, "Model name or id");
  g->add_option("data_name", get->name, "Data name");
  g->add_option("--model", get->model_flag, "Model name or id");
  g->add_option("--name", get->name_flag, "Data name");
  g->add_option("--version", get->version, "Version number (default: latest)");
  g->add_option("--workflow", get->workflow, "Workflow name");
  g->add_option("--run", get->run, "Workflow run id");
  g->add_flag("--no-content", get->no_content, "Omit the content");

  auto list = std::make_shared<ListArgs>();
  CLI::App* l = registry.Command(data, "list", "List a model's data artifacts",
                                 [list](CommandContext& ctx) { return RunList(ctx, *list); });
  l->add_option("model", list->model, "Model name or id");
  l->add_option("--model", list->model_flag, "Model name or id");
  l->add_option("--type", list->type, "Only data whose tags.type equals this");
  l->add_option("--workflow", list->workflow, "Workflow name");
  l->add_option("--run", list->run, "Workflow run id");

  auto versions = std::make_shared<VersionsArgs>();
  CLI::App* v =
      registry.Command(data, "versions", "List the versions of a data artifact",
                       [versions](CommandContext& ctx) { return RunVersions(ctx, *versions); });
  v->add_option("model", versions->model, "Model name or id");
  v->add_option("data_name", versions->name, "Data name");
  v->add_option("--model", versions->model_flag, "Model name or id");
  v->add_option("--name", versions->name_flag, "Data name");

  auto del = std::make_shared<DeleteArgs>();
  CLI::App* d = registry.Command(data, "delete", "Delete data artifacts or versions",
                                 [del](CommandContext& ctx) { return RunDelete(ctx, *del); });
  d->add_option("model", del->model, "Model name or id");
  d->add_option("data_name", del->name, "Data name");
  d->add_option("--model", del->model_flag, "Model name or id");
  d->add_option("--name", del->name_flag, "Data name");
  del->version_opt = d->add_option("--version", del->version, "Delete only this version");
  del->prefix_opt =
      d->add_option("--prefix", del->prefix, "Delete every data name with this prefix");
  d->add_flag("--all", del->all, "Delete all data of the model");
  d->add_flag("--dry-run", del->dry_run, "Only show what would be deleted (batch only)");
  d->add_flag("-y,--yes", del->yes, "Do not prompt");
  d->add_flag("-f,--force", del->force, "Do not prompt");

  auto ren = std::make_shared<RenameArgs>();
  CLI::App* r = registry.Command(data, "rename", "Rename a data artifact",
                                 [ren](CommandContext& ctx) { return RunRename(ctx, *ren); });
  r->add_option("model", ren->model, "Model name or id");
  r->add_option("old_name", ren->old_name, "Current data name");
  r->add_option("new_name", ren->new_name, "New data name");
  r->add_option("--model", ren->model_flag, "Model name or id");
  r->add_option("--name", ren->name_flag, "Current data name");
  r->add_option("--new-name", ren->new_name_flag, "New data name");

  auto gc = std::make_shared<GcArgs>();
  CLI::App* gcc = registry.Command(data, "gc", "Delete expired data and old versions",
                                   [gc](CommandContext& ctx) { return RunGc(ctx, *gc); });
  gcc->add_flag("--dry-run", gc->dry_run, "Only report what would be deleted");
  gcc->add_flag("-y,--yes", gc->yes, "Do not prompt");
  gcc->add_flag("-f,--force", gc->force, "Do not prompt");

  auto prune = std::make_shared<GcArgs>();
  CLI::App* p = registry.Command(data, "prune", "Delete data of models that no longer exist",
                                 [prune](CommandContext& ctx) { return RunPrune(ctx, *prune); });
  p->add_flag("--dry-run", prune->dry_run, "Only report what would be deleted");
  p->add_flag("-y,--yes", prune->yes, "Do not prompt");
  p->add_flag("-f,--force", prune->force, "Do not prompt");

  auto search = std::make_shared<SearchArgs>();
  CLI::App* s = registry.Command(data, "search", "Search data across all models",
                                 [search](CommandContext& ctx) { return RunSearch(ctx, *search); });
  s->add_option("query", search->query, "Free-text query");
  s->add_option("--type", search->type, "tags.type equals");
  s->add_option("--lifetime", search->lifetime, "lifetime equals");
  s->add_option("--owner-type", search->owner_type, "ownerDefinition.ownerType equals");
  s->add_option("--workflow", search->workflow, "tags.workflow equals");
  s->add_option("--model", search->model, "Model name or id");
  s->add_option("--content-type", search->content_type, "contentType equals");
  s->add_option("--since", search->since, "Created within this duration (e.g. 7d)");
  s->add_option("--output", search->output, "Output (run) id");
  s->add_option("--run", search->run, "Workflow run id");
  s->add_option("--tag", search->tags, "KEY=VALUE (repeatable)");
  s->add_flag("--streaming", search->streaming, "Only streaming data");
  s->add_option("--limit", search->limit, "Maximum results (default 50)");
}

}  // namespace fen::cli
