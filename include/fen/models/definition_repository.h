// DefinitionRepository: the model definition files of one repo (shared/spec/cli.md §3.2, §3.6).
//
// Contract: reads never lock; broken files are skipped with the warning
// "Skipping broken definition file <path>: <msg>" (collected in `warnings`), while I/O errors
// other than a vanished file are fatal. With EnableIndex(), Find() consults the definition
// index (src/models/definition_index.h) and parses only the file it returns; its answer and
// warnings are the same as without. Writes are durable (fen/env/durable_file.h); callers that
// need exclusion (model delete, method run) hold the model's writer lock. One thread at a time per
// instance; many processes may use the same repo.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/models/definition.h"

namespace fen::models {

class DefinitionIndex;

class DefinitionRepository {
 public:
  // `datastore_root` is {D} (evaluated copies go to {D}/definitions-evaluated).
  DefinitionRepository(Env* env, std::string repo_dir, std::string datastore_root);
  ~DefinitionRepository();
  DefinitionRepository(const DefinitionRepository&) = delete;
  DefinitionRepository& operator=(const DefinitionRepository&) = delete;

  // Find() uses (and maintains) `{repo}/.swamp/.fen/definition-index` from now on
  // (docs/design/models.md §11). `racy_window_ns`: see DefinitionIndex.
  void EnableIndex(int64_t racy_window_ns = 2'000'000'000);

  // Every readable definition under models/ (and .swamp/auto-definitions/ when
  // `include_auto`), in directory-walk order.
  Result<std::vector<Definition>> List(bool include_auto, std::vector<std::string>* warnings);
  // Lookup by name, then by id among registered types (§3.6). nullopt = not found.
  Result<std::optional<Definition>> Find(const std::string& id_or_name,
                                         std::vector<std::string>* warnings);
  // Reads one file (type derived from its directory when `type:` is missing).
  Result<Definition> Load(const std::string& path);

  // The path a definition is saved at: models/<type>/<name>.yaml, or <id>.yaml when the name
  // is not filename-safe.
  std::string PathFor(const Definition& def) const;
  // Writes `def` durably at PathFor (sets def->path); removes a legacy file at another path.
  Status Save(Definition* def);
  // Removes the file and now-empty parent directories up to models/.
  Status Remove(const Definition& def);
  // {D}/definitions-evaluated/<type>/<name>.yaml, written durably.
  Result<std::string> WriteEvaluated(const Definition& def);

  const std::string& models_dir() const { return models_dir_; }
  // Definition files parsed by this instance (tests observe the index working).
  int parse_count() const { return parse_count_; }

 private:
  // Calls `visit(path)` for every definition file under `dir` (cli.md §3.2: *.yaml regular
  // files, symlinks only when they resolve inside the repo), in directory-walk order.
  Status ForEachFile(const std::string& dir,
                     const std::function<Status(const std::string&)>& visit);
  Status Walk(const std::string& dir, std::vector<Definition>* out,
              std::vector<std::string>* warnings);
  Result<std::optional<Definition>> FindByParsingAll(const std::string& id_or_name,
                                                     std::vector<std::string>* warnings);
  Result<std::optional<Definition>> FindWithIndex(const std::string& id_or_name,
                                                  std::vector<std::string>* warnings);

  Env* env_;
  // path -> (file bytes, parsed definition) of every file this instance loaded.
  std::map<std::string, std::pair<std::string, Definition>> parsed_;
  std::string repo_dir_;
  std::string datastore_root_;
  std::string models_dir_;
  std::string auto_dir_;
  std::unique_ptr<DefinitionIndex> index_;  // null: Find parses every file
  int parse_count_ = 0;
};

}  // namespace fen::models
