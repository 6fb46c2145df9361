// OutputService: the read-only `fen model output ...` commands over the run records that
// `model method run` writes under {D}/outputs/<type>/<method>/ (shared/spec/cli.md §5.6, §6.5;
// docs/design/models.md §9).
//
// Contract: reads only, takes no lock (records are written once, atomically, at the terminal
// state). A record file that cannot be parsed, or lacks a string `id`/`definitionId`, is skipped
// and reported in `warnings()` ("Skipping malformed run record <path>: <msg>"); it never hides
// the others. One thread at a time per instance; any number of processes may read concurrently
// with runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fen/base/json_text.h"
#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"
#include "fen/storage/data_store.h"

namespace fen::models {

// One parsed run record file.
struct RunRecord {
  std::string path;        // absolute path of the .yaml file
  std::string type;        // model type, from the directory (outputs/<type>/<method>/)
  std::string model_name;  // from the definition, else the artifacts' modelName tag
  Json doc;                // the record as JSON (YAML 1.2 core schema scalars)

  std::string Str(const char* key) const;
};

class OutputService {
 public:
  OutputService(Env* env, const RepoContext* repo);

  // Every readable record, in no particular order.
  Result<std::vector<RunRecord>> ListRecords();
  // §6.5 get: id prefix (`^[0-9a-f-]{3,}$`, dashes ignored), then the model's latest record.
  // Errors: ambiguous_id, output_not_found.
  Result<Json> Get(const std::string& id_or_model);
  // §6.5 search: {query, results:[...]} sorted by startedAt descending.
  Result<Json> Search(const std::string& query);
  // §6.5 data: {outputId, methodName, dataId, dataName, version, contentType, field, data}.
  Result<Json> Data(const std::string& output_id, const std::string& name, const std::string& field,
                    std::optional<int64_t> version, storage::DataStore* store);
  // §6.5 logs (fen fix, docs/design/models.md §9): artifacts tagged `type: log`, else the
  // shell `log` artifact (`type: file`, name `log`). {outputId, methodName, status, dataId,
  // dataName, version, lines:[...]} with only the last `tail` lines when given.
  Result<Json> Logs(const std::string& output_id, std::optional<int64_t> tail,
                    storage::DataStore* store);

  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  // Resolves an output id (exact or unique prefix). nullopt = no match.
  Result<std::optional<RunRecord>> FindById(const std::vector<RunRecord>& records,
                                            const std::string& id_prefix);
  Result<RunRecord> FindOutputOrFail(const std::string& output_id);
  Status Walk(const std::string& dir, const std::string& rel, std::vector<RunRecord>* out);

  Env* env_;
  const RepoContext* repo_;
  std::vector<std::string> warnings_;
};

}  // namespace fen::models
