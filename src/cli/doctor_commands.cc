// `fen doctor datastores [--repair]` (cli.md §7.11). The checks and repairs live in
// fen/doctor/datastore_doctor.h; output shape: docs/design/doctor.md §3.
#include <memory>

#include "cli/command_registry.h"
#include "fen/doctor/datastore_doctor.h"
#include "fen/locking/filesystem_lock_manager.h"
#include "fen/locking/lock_manager.h"
#include "fen/repo/repo_context.h"

namespace fen::cli {
namespace {

struct DoctorArgs {
  bool repair = false;
};

// LOCK: structural (locking.md §6.4, storage.md §5.8: `doctor datastores --repair` holds the
// scope's global lock exclusively while it cleans, so no fen writer is mid-protocol and,
// through the swamp-format lock files, no lock-honouring swamp writer either).
struct RepairLock {
  std::unique_ptr<locking::LockManager> manager;
  std::unique_ptr<locking::LockSet> held;
};

Result<RepairLock> AcquireRepairLock(CommandContext& ctx, const RepoContext& repo) {
  RepairLock lock;
  lock.manager = locking::NewFilesystemLockManager(ctx.env, repo);
  locking::LockRequest request;
  request.command = "doctor datastores --repair";
  request.notice = [&ctx](std::string_view text) { ctx.out.Notice(text); };
  if (ctx.out.json()) request.wait_warning = [](std::string_view) {};
  FEN_ASSIGN_OR_RETURN(lock.held, lock.manager->AcquireStructural(request));
  return lock;
}

Json ProblemJson(const doctor::Problem& p) {
  Json j = Json::object();
  j["kind"] = p.kind;
  j["severity"] = std::string(doctor::SeverityName(p.severity));
  j["path"] = p.path;
  j["message"] = p.message;
  j["repairable"] = p.repairable;
  j["repaired"] = p.repaired;
  j["action"] = p.action;
  return j;
}

Json ReportJson(const doctor::DoctorReport& r) {
  Json j = Json::object();
  j["datastore"] = r.datastore_root;
  j["dataRoot"] = r.data_root;
  j["repair"] = r.repair;
  Json checked = Json::object();
  checked["models"] = r.models;
  checked["artifacts"] = r.artifacts;
  checked["versions"] = r.versions;
  j["checked"] = checked;
  Json summary = Json::object();
  summary["corruption"] = r.Count(doctor::Severity::kCorruption);
  summary["leftover"] = r.Count(doctor::Severity::kLeftover);
  summary["warning"] = r.Count(doctor::Severity::kWarning);
  summary["repaired"] = r.RepairedCount();
  j["summary"] = summary;
  j["healthy"] = r.problems.empty();
  Json problems = Json::array();
  for (const auto& p : r.problems) problems.push_back(ProblemJson(p));
  j["problems"] = problems;
  return j;
}

Status RunDoctorDatastores(CommandContext& ctx, const DoctorArgs& a) {
  FEN_ASSIGN_OR_RETURN(RepoContext repo, OpenCommandRepo(ctx));
  RepairLock lock;
  if (a.repair) {
    FEN_ASSIGN_OR_RETURN(lock, AcquireRepairLock(ctx, repo));
  }
  FEN_ASSIGN_OR_RETURN(doctor::DoctorReport r,
                       doctor::CheckDatastore(ctx.env, repo, doctor::DoctorOptions{a.repair}));
  if (ctx.out.json()) {
    ctx.out.Document(ReportJson(r));
    return Status::Ok();
  }
  for (const auto& p : r.problems) {
    ctx.out.Line(std::string(doctor::SeverityName(p.severity)) + " " + p.kind + ": " + p.path +
                 ": " + p.message + " (" + p.action + ")");
  }
  std::string checked = std::to_string(r.models) + " model(s), " + std::to_string(r.artifacts) +
                        " artifact(s), " + std::to_string(r.versions) + " version(s) checked";
  if (r.problems.empty()) {
    ctx.out.Line("Datastore healthy: " + checked + ".");
  } else {
    ctx.out.Line(std::to_string(r.problems.size()) + " problem(s) (" +
                 std::to_string(r.Count(doctor::Severity::kCorruption)) + " corruption, " +
                 std::to_string(r.Count(doctor::Severity::kLeftover)) + " leftover, " +
                 std::to_string(r.Count(doctor::Severity::kWarning)) + " warning), " +
                 std::to_string(r.RepairedCount()) + " repaired; " + checked + ".");
  }
  return Status::Ok();
}

}  // namespace

void RegisterDoctorCommands(CommandRegistry& registry) {
  CLI::App* doctor = registry.Group(registry.root(), "doctor", "Check repository health");
  auto args = std::make_shared<DoctorArgs>();
  CLI::App* cmd =
      registry.Command(doctor, "datastores", "Check the datastore for corruption and leftovers",
                       [args](CommandContext& ctx) { return RunDoctorDatastores(ctx, *args); });
  cmd->add_flag("--repair", args->repair,
                "Remove leftovers of interrupted writes (takes the structural lock)");
}

}  // namespace fen::cli
