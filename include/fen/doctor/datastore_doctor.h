// DatastoreDoctor: `fen doctor datastores [--repair]` (cli.md §7.11, storage.md §5.8, §6.5).
//
// Contract:
// - CheckDatastore walks the whole data tree of one datastore scope and reports every problem
//   with its path and a stable kind (docs/design/doctor.md lists the kinds and the JSON shape).
//   Without repair it only reads (no lock needed, locking.md §6.4).
// - With repair it removes what can be removed without guessing (staging/trash/.tmp leftovers,
//   numbered directories without metadata.yaml after raising the HWM) and leaves everything
//   else (a legal state, or damage only a human can judge) alone, saying so per problem.
//   The caller MUST hold the scope's structural lock while repairing.
// - All I/O goes through `env`. One thread at a time per call; calls are independent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/repo/repo_context.h"

namespace fen::doctor {

// How bad a problem is. kCorruption: data a reader needs is wrong or missing (never caused by
// a fen crash). kLeftover: debris of an interrupted write/removal (storage.md §5.8; invisible
// to readers). kWarning: a legal but notable state (a lagging `latest`).
enum class Severity { kCorruption, kLeftover, kWarning };

std::string_view SeverityName(Severity s);

struct Problem {
  std::string kind;  // stable identifier, docs/design/doctor.md §2
  Severity severity = Severity::kCorruption;
  std::string path;         // absolute path of the file or directory concerned
  std::string message;      // one line
  bool repairable = false;  // --repair would fix it
  bool repaired = false;    // --repair fixed it
  std::string action;       // what --repair did, or why it left the problem alone
};

struct DoctorOptions {
  bool repair = false;
};

struct DoctorReport {
  std::string datastore_root;
  std::string data_root;
  int64_t models = 0;
  int64_t artifacts = 0;
  int64_t versions = 0;
  bool repair = false;
  std::vector<Problem> problems;

  int64_t Count(Severity s) const;
  int64_t RepairedCount() const;
  // True iff no problem of severity kCorruption was found.
  bool NoCorruption() const { return Count(Severity::kCorruption) == 0; }
};

// Checks (and with options.repair, repairs) the datastore of `repo`. Errors only when the data
// root itself cannot be read; everything below it becomes a Problem.
Result<DoctorReport> CheckDatastore(Env* env, const RepoContext& repo,
                                    const DoctorOptions& options);

}  // namespace fen::doctor
