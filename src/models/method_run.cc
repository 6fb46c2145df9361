// `model method run` pipeline (cli.md §5.3; docs/design/models.md §4).
#include "fen/models/method_run.h"

#include <unistd.h>

#include <set>

#include "fen/base/clock.h"
#include "fen/base/uuid.h"
#include "fen/base/yaml_writer.h"
#include "fen/env/durable_file.h"
#include "fen/env/sync_group.h"
#include "fen/models/cancellation.h"
#include "fen/models/definition.h"
#include "fen/models/definition_repository.h"
#include "fen/models/json_string_stream.h"
#include "fen/models/model_type.h"
#include "fen/models/shell_model.h"

namespace fen::models {
namespace {

using storage::OrderedStringMap;

void SetTag(OrderedStringMap* tags, const std::string& k, const std::string& v) {
  for (auto& [ek, ev] : *tags) {
    if (ek == k) {
      ev = v;
      return;
    }
  }
  tags->emplace_back(k, v);
}

// cli.md §4.3 precedence.
OrderedStringMap DataTags(const std::string& type_tag, const std::string& spec,
                          const Definition& def,
                          const std::vector<std::pair<std::string, std::string>>& cli_tags) {
  OrderedStringMap tags;
  SetTag(&tags, "type", type_tag);
  for (auto it = def.tags.begin(); it != def.tags.end(); ++it) {
    SetTag(&tags, it.key(),
           it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  SetTag(&tags, "specName", spec);
  SetTag(&tags, "modelName", def.name);
  SetTag(&tags, "initiatedBy", "ghost");
  for (const auto& [k, v] : cli_tags) SetTag(&tags, k, v);
  return tags;
}

storage::DataRecord MakeRecord(const std::string& name, const std::string& content_type,
                               bool streaming, const Definition& def, OrderedStringMap tags) {
  storage::DataRecord r;
  r.id = NewUuidV4();
  r.name = name;
  r.content_type = content_type;
  r.lifetime = "infinite";
  r.garbage_collection = int64_t{10};
  r.streaming = streaming;
  r.tags = std::move(tags);
  r.owner.owner_type = "model-method";
  r.owner.owner_ref = def.id;
  return r;
}

std::string FileStamp(std::string iso) {
  for (char& c : iso) {
    if (c == ':' || c == '.') c = '-';
  }
  return iso;
}

// The run log `.swamp/outputs/<type>/<method>/<id>-<ts>.log` (cli.md §5.3 step 5), buffered.
class RunLog {
 public:
  Status Open(Env* env, const std::string& path, std::string category) {
    FEN_RETURN_IF_ERROR(CreateDirsDurably(env, ParentDir(path)));
    FEN_ASSIGN_OR_RETURN(file_, env->NewAppendableFile(path));
    category_ = std::move(category);
    return Status::Ok();
  }
  void Line(OutputStream s, std::string_view text) {
    if (!file_) return;
    buffer_ += NowIsoMillis();
    buffer_ += s == OutputStream::kStdout ? " [INF] " : " [WRN] ";
    buffer_ += category_;
    buffer_ += ": ";
    buffer_.append(text);
    buffer_ += '\n';
    synced_by_commit_ = false;
    if (buffer_.size() >= (1 << 16)) Flush();
  }
  void Flush() {
    if (file_ && !buffer_.empty() && status_.ok()) status_ = file_->Append(buffer_);
    buffer_.clear();
  }
  // Flushes and hands out the file for a commit round to fsync (docs/design/storage.md §6);
  // Close() then skips its own fsync unless more lines arrive or CommitFailed() is called.
  WritableFile* FlushForCommit() {
    Flush();
    if (!file_ || !status_.ok()) return nullptr;
    synced_by_commit_ = true;
    return file_.get();
  }
  // The commit did not complete, so its round may not have synced the file.
  void CommitFailed() { synced_by_commit_ = false; }
  Status Close() {
    Flush();
    if (!file_) return status_;
    if (status_.ok() && !synced_by_commit_) status_ = file_->Sync();
    Status c = file_->Close();
    file_.reset();
    return status_.ok() ? c : status_;
  }

 private:
  std::unique_ptr<WritableFile> file_;
  std::string category_;
  std::string buffer_;
  Status status_;
  bool synced_by_commit_ = false;
};

// Streams stdout into the `log` artifact while the command runs: "[stdout]\n" + stdout with
// one trailing newline held back (cli.md §4.2 step 7).
class LogArtifactStream {
 public:
  explicit LogArtifactStream(storage::VersionWriter* writer) : writer_(writer) {}
  Status Stdout(std::string_view chunk) {
    if (chunk.empty()) return Status::Ok();
    std::string text;
    if (pending_newline_) text += '\n';
    bool ends_nl = chunk.back() == '\n';
    text.append(chunk.substr(0, chunk.size() - (ends_nl ? 1 : 0)));
    pending_newline_ = ends_nl;
    if (text.empty()) return Status::Ok();
    if (!wrote_stdout_) {
      FEN_RETURN_IF_ERROR(writer_->Append("[stdout]\n"));
      wrote_stdout_ = true;
    }
    return writer_->Append(text);
  }
  Status Stderr(const SpoolFile& err) {
    if (err.captured_size() == 0) return Status::Ok();
    FEN_RETURN_IF_ERROR(writer_->Append(wrote_stdout_ ? "\n[stderr]\n" : "[stderr]\n"));
    return err.ReadChunks(err.captured_size(),
                          [&](std::string_view c) { return writer_->Append(c); });
  }

 private:
  storage::VersionWriter* writer_;
  bool pending_newline_ = false;
  bool wrote_stdout_ = false;
};

Status StreamJsonString(storage::VersionWriter* w, const SpoolFile* spool,
                        const std::string* text) {
  FEN_RETURN_IF_ERROR(w->Append("\""));
  JsonStringStream esc;
  if (spool != nullptr) {
    FEN_RETURN_IF_ERROR(spool->ReadChunks(
        spool->captured_size(), [&](std::string_view c) { return w->Append(esc.Feed(c)); }));
  } else {
    FEN_RETURN_IF_ERROR(w->Append(esc.Feed(*text)));
  }
  FEN_RETURN_IF_ERROR(w->Append(esc.Finish()));
  return w->Append("\"");
}

struct RunRecord {
  std::string id = NewUuidV4();
  std::string definition_id;
  std::string method;
  std::string started_at;
  WallTime started{};
  std::string definition_hash;
  Json artifacts = Json::array();
  std::string log_file_rel;
  std::string path;
};

// The run record's YAML at a terminal state (cli.md §5.6).
std::string RunRecordYaml(const RunRecord& rec, const std::string& status,
                          const std::optional<std::string>& error, int64_t* duration_ms) {
  WallTime done = NowWall();
  Json j = Json::object();
  j["id"] = rec.id;
  j["definitionId"] = rec.definition_id;
  j["methodName"] = rec.method;
  j["status"] = status;
  j["startedAt"] = rec.started_at;
  j["retryCount"] = 0;
  j["provenance"] = {{"definitionHash", rec.definition_hash},
                     {"modelVersion", std::string(kShellTypeVersion)},
                     {"triggeredBy", "manual"},
                     {"initiatedBy", "ghost"}};
  j["artifacts"] = {{"dataArtifacts", rec.artifacts}};
  j["completedAt"] = FormatIsoMillis(done);
  const int64_t duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(done - rec.started).count();
  if (duration_ms != nullptr) *duration_ms = duration;
  j["durationMs"] = duration;
  if (error) {
    // docs/design/models.md §5: error.stack repeats the message (fen has no JS stack).
    if (status == "cancelled") {
      j["error"] = {{"message", "aborted"}};
    } else {
      j["error"] = {{"message", *error}, {"stack", *error}};
    }
  }
  j["logFile"] = rec.log_file_rel;
  j["pid"] = static_cast<int64_t>(getpid());
  return ToYaml(j);
}

Status WriteRunRecord(Env* env, const RunRecord& rec, const std::string& status,
                      const std::optional<std::string>& error) {
  return WriteFileDurably(env, rec.path, RunRecordYaml(rec, status, error, nullptr));
}

Json ArtifactEntry(const storage::SavedVersion& v, const storage::DataRecord& r) {
  Json tags = Json::object();
  for (const auto& [k, val] : r.tags) tags[k] = val;
  return {{"dataId", v.id}, {"name", v.name}, {"version", v.version}, {"tags", tags}};
}

// Joins the run log and the run record to the data commit, so that a successful run costs the
// commit's four fsync rounds and no more (docs/design/models.md §4, docs/design/storage.md §6): the
// log is fsynced with the versions' contents, the record (which names the versions) is staged once
// the numbers are durable and published once the versions are visible.
class RunCommitParticipant final : public storage::CommitParticipant {
 public:
  RunCommitParticipant(Env* env, RunLog* log, RunRecord* rec,
                       const std::vector<const storage::DataRecord*>& records)
      : env_(env), log_(log), rec_(rec), records_(records) {}

  void AddToFirstRound(SyncGroup* round) override {
    if (WritableFile* f = log_->FlushForCommit()) round->AddFile(f);
  }
  Status Numbered(const std::vector<storage::SavedVersion>& versions, SyncGroup* round) override {
    rec_->artifacts = Json::array();
    for (size_t i = 0; i < versions.size(); ++i) {
      rec_->artifacts.push_back(ArtifactEntry(versions[i], *records_[i]));
    }
    std::string yaml = RunRecordYaml(*rec_, "succeeded", std::nullopt, &duration_ms_);
    const size_t slash = rec_->path.find_last_of('/');
    record_.reset();
    FEN_ASSIGN_OR_RETURN(record_, StagedFile::Create(env_, rec_->path.substr(0, slash),
                                                     rec_->path.substr(slash + 1), yaml));
    round->AddFile(record_->file());
    return Status::Ok();
  }
  Status Visible(SyncGroup* round) override {
    FEN_RETURN_IF_ERROR(record_->Publish());
    round->AddDir(record_->dir());
    return Status::Ok();
  }
  int64_t duration_ms() const { return duration_ms_; }

 private:
  Env* env_;
  RunLog* log_;
  RunRecord* rec_;
  std::vector<const storage::DataRecord*> records_;
  std::unique_ptr<StagedFile> record_;
  int64_t duration_ms_ = 0;
};

}  // namespace

Result<Json> RunModelMethod(const MethodRunRequest& req, const MethodRunDeps& deps) {
  Env* env = deps.env;
  const RepoContext& repo = *deps.repo;
  DefinitionRepository defs(env, repo.repo_dir, repo.datastore_root);
  defs.EnableIndex();  // parses only the definition it returns (docs/design/models.md §11)

  // §5.3 step 2: look up without a lock.
  std::vector<std::string> warnings;
  FEN_ASSIGN_OR_RETURN(auto found, defs.Find(req.model, &warnings));
  if (deps.warning) {
    for (const auto& w : warnings) deps.warning(w);
  }
  if (!found) return Status(ErrorCode::kModelNotFound, "Model not found: " + req.model);

  // §5.4: the writer lock of this model.
  locking::LockRequest lock_request;
  lock_request.command = req.command_line;
  lock_request.notice = deps.lock_notice;
  if (deps.lock_wait_warning) lock_request.wait_warning = deps.lock_wait_warning;
  // The shell loop below calls KeepAlive (on_tick) and the commit KeepAlive(true) when it is
  // large: docs/design/locking.md §7a. Not when output lines go to the terminal or a pipe
  // (on_line): a reader that stops reading would block the loop, and the heartbeat with it.
  lock_request.keeps_alive = !deps.on_line;
  FEN_ASSIGN_OR_RETURN(std::unique_ptr<locking::LockSet> locks,
                       deps.locks->AcquireWriter({{found->type, found->id}}, lock_request));
  // locking.md §6.8: from here a signal cancels the work; locks go only after the record.
  std::unique_ptr<CancellationSignals> signals = CancellationSignals::Install();

  // Re-read under the lock: another writer may have changed or removed it meanwhile.
  auto loaded = defs.Load(found->path);
  if (!loaded.ok()) {
    if (loaded.status().IsNotFound()) {
      return Status(ErrorCode::kModelNotFound, "Model not found: " + req.model);
    }
    return loaded.status();
  }
  Definition def = std::move(loaded).value();
  if (def.id != found->id)
    return Status(ErrorCode::kModelNotFound, "Model not found: " + req.model);

  // Steps 3, 6, 7: type, method, expressions, override inputs. Nothing is written yet.
  if (!IsKnownModelType(def.type)) {
    return Status(ErrorCode::kUnknownModelType, "Unknown model type: " + def.type);
  }
  if (req.method != kShellMethod) {
    return Status(ErrorCode::kUnknownMethod, "Unknown method '" + req.method + "' for type '" +
                                                 def.type + "'. Available methods: execute");
  }
  std::string expr_path, expr;
  auto unsupported = [&](const std::string& path, const std::string& e) {
    return Status(ErrorCode::kUnsupportedExpression,
                  "Unsupported expression ${{ " + e + " }} in definition \"" + def.name + "\" at " +
                      path + ": CEL expressions are not supported");
  };
  if (FindExpression(DefinitionToJson(def), "", &expr_path, &expr)) {
    return unsupported(expr_path, expr);
  }
  std::set<std::string> input_props;
  if (def.inputs.is_object() && def.inputs.contains("properties") &&
      def.inputs["properties"].is_object()) {
    for (auto it = def.inputs["properties"].begin(); it != def.inputs["properties"].end(); ++it) {
      input_props.insert(it.key());
    }
  }
  const auto& arg_names = ShellArgumentNames();
  std::vector<std::string> unknown;
  for (auto it = req.inputs.begin(); it != req.inputs.end(); ++it) {
    if (input_props.count(it.key()) != 0) continue;
    if (std::find(arg_names.begin(), arg_names.end(), it.key()) == arg_names.end()) {
      unknown.push_back(it.key());
    }
  }
  if (!unknown.empty()) {
    std::string msg = "Unknown method input(s): ";
    for (size_t i = 0; i < unknown.size(); ++i) msg += (i ? ", " : "") + unknown[i];
    msg += ". Valid inputs are: run, workingDir, timeout, env, ignoreExitCode";
    return Status(ErrorCode::kValidationFailed, msg);
  }
  Json method_args = Json::object();
  if (def.methods.contains(req.method) && def.methods[req.method].contains("arguments") &&
      def.methods[req.method]["arguments"].is_object()) {
    method_args = def.methods[req.method]["arguments"];
  }
  for (auto it = req.inputs.begin(); it != req.inputs.end(); ++it) {
    if (input_props.count(it.key()) == 0) method_args[it.key()] = it.value();
  }
  if (FindExpression(method_args, "methods." + req.method + ".arguments", &expr_path, &expr)) {
    return unsupported(expr_path, expr);
  }

  // Step 5: the run log; step 6: the evaluated copy (no expressions: the definition itself).
  const std::string out_dir = repo.outputs_dir + "/" + def.type + "/" + req.method;
  const std::string log_path = out_dir + "/" + def.id + "-" + FileStamp(NowIsoMillis()) + ".log";
  RunLog run_log;
  FEN_RETURN_IF_ERROR(
      run_log.Open(env, log_path, "model·method·run·" + def.name + "·" + req.method));
  FEN_RETURN_IF_ERROR(locks->CheckHeld());
  FEN_RETURN_IF_ERROR(defs.WriteEvaluated(def).status());

  RunRecord rec;
  rec.definition_id = def.id;
  rec.method = req.method;
  rec.started = NowWall();
  rec.started_at = FormatIsoMillis(rec.started);
  rec.definition_hash = DefinitionHash(def);
  rec.path = out_dir + "/" + def.id + "-" + FileStamp(rec.started_at) + ".yaml";
  rec.log_file_rel = log_path.rfind(repo.repo_dir + "/", 0) == 0
                         ? log_path.substr(repo.repo_dir.size() + 1)
                         : log_path;
  const int64_t started_mono = MonotonicMillis();

  // Terminal states other than success: record, then return the error (lock still held).
  std::unique_ptr<storage::VersionWriter> log_writer;
  auto finish_failed = [&](const Status& error) -> Status {
    if (log_writer) {
      // Drop the staged log; a data-name directory created only for it goes too
      // (docs/design/models.md §4: a failed run leaves no data trace).
      log_writer.reset();
      (void)env->RemoveDir(repo.data_root + "/" + def.type + "/" + def.id + "/log");
    }
    (void)run_log.Close();
    bool cancelled = error.code() == ErrorCode::kCancelled;
    Status s = locks->CheckHeld();
    if (s.ok()) {
      s = WriteRunRecord(env, rec, cancelled ? "cancelled" : "failed", error.message());
    }
    return s.ok() ? error : s;
  };
  const Status cancelled_error(ErrorCode::kCancelled,
                               "Run cancelled: " + req.method + " on " + def.name);

  // Step 10: merge global arguments under the method arguments, coerce, validate.
  Json merged = def.global_arguments.is_object() ? def.global_arguments : Json::object();
  for (auto it = method_args.begin(); it != method_args.end(); ++it) merged[it.key()] = it.value();
  auto args = ValidateShellArguments(merged);
  if (!args.ok()) return finish_failed(args.status());

  storage::ArtifactKey log_key{def.type, def.id, "log"};
  storage::DataRecord log_record =
      MakeRecord("log", "text/plain", true, def, DataTags("file", "log", def, req.tags));
  {
    auto begun = deps.store->BeginVersion(log_key, log_record);
    if (!begun.ok()) return finish_failed(begun.status());
    log_writer = std::move(begun).value();
  }
  LogArtifactStream log_stream(log_writer.get());

  ShellRunOptions opts;
  opts.run = args->run;
  opts.working_dir = args->working_dir;
  opts.timeout_ms = args->timeout_ms;
  opts.env = args->env;
  for (auto& kv : locks->ChildEnvironment()) opts.env.push_back(kv);
  opts.spool_dir = repo.fen_dir;
  if (!env->Access(opts.spool_dir, 2 /* W_OK */)) opts.spool_dir = "/tmp";
  if (req.cancel_after_ms) opts.cancel_at_ms = started_mono + *req.cancel_after_ms;
  opts.on_chunk = [&](OutputStream s, std::string_view c) -> Status {
    return s == OutputStream::kStdout ? log_stream.Stdout(c) : Status::Ok();
  };
  opts.on_tick = [&] { locks->KeepAlive(); };
  opts.on_line = [&](OutputStream s, std::string_view line) {
    run_log.Line(s, line);
    if (deps.on_line) deps.on_line(s, line);
  };
  if (CancellationRequested()) return finish_failed(cancelled_error);
  auto ran = RunShell(opts);
  if (!ran.ok()) return finish_failed(ran.status());
  ShellRunResult& r = *ran;
  if (!r.error_message.empty()) run_log.Line(OutputStream::kStderr, r.error_message);
  const std::string executed_at = NowIsoMillis();
  if (r.cancelled || CancellationRequested()) return finish_failed(cancelled_error);

  // Step 6 of §4.2: non-zero exit fails without data.
  if (r.exit_code != 0 && !args->ignore_exit_code) {
    return finish_failed(Status(ErrorCode::kMethodExecutionFailed,
                                "Command exited with code " + std::to_string(r.exit_code)));
  }
  const bool abnormal = !r.error_message.empty();  // stdout "", stderr = message

  // Step 11: result (committed first), then log.
  storage::ArtifactKey result_key{def.type, def.id, "result"};
  storage::DataRecord result_record = MakeRecord("result", "application/json", false, def,
                                                 DataTags("resource", "result", def, req.tags));
  auto result_writer = deps.store->BeginVersion(result_key, result_record);
  if (!result_writer.ok()) return finish_failed(result_writer.status());
  {
    storage::VersionWriter* w = result_writer->get();
    Json head = Json::object();
    head["exitCode"] = r.exit_code;
    head["executedAt"] = executed_at;
    head["command"] = args->run;
    head["durationMs"] = r.duration_ms;
    std::string prefix = ToCompactJson(head);
    prefix.pop_back();  // reopen the object
    Status s = w->Append(prefix + ",\"stdout\":");
    const std::string empty;
    if (s.ok())
      s = abnormal ? StreamJsonString(w, nullptr, &empty) : StreamJsonString(w, &r.out, nullptr);
    if (s.ok()) s = w->Append(",\"stderr\":");
    if (s.ok()) {
      s = abnormal ? StreamJsonString(w, nullptr, &r.error_message)
                   : StreamJsonString(w, &r.err, nullptr);
    }
    if (s.ok()) s = w->Append("}");
    if (!s.ok()) return finish_failed(s);
  }
  if (abnormal) {
    // The streamed stdout does not belong in the log: start it again with the message.
    log_writer.reset();
    auto begun = deps.store->BeginVersion(log_key, log_record);
    if (!begun.ok()) return finish_failed(begun.status());
    log_writer = std::move(begun).value();
    Status s = log_writer->Append("[stderr]\n" + r.error_message);
    if (!s.ok()) return finish_failed(s);
  } else if (Status s = log_stream.Stderr(r.err); !s.ok()) {
    return finish_failed(s);
  }

  // Step 11 (result, then log) and step 12 (the run record) in one commit. Its fsyncs may take
  // seconds when the output is large: the heartbeat then runs during it.
  constexpr int64_t kLargeCommitBytes = int64_t{16} << 20;
  locks->KeepAlive(r.out.captured_size() + r.err.captured_size() >= kLargeCommitBytes);
  if (Status s = locks->CheckHeld(); !s.ok()) return finish_failed(s);
  RunCommitParticipant participant(env, &run_log, &rec, {&result_record, &log_record});
  auto committed =
      deps.store->CommitTogether({result_writer->get(), log_writer.get()}, &participant);
  if (!committed.ok()) {
    run_log.CommitFailed();
    rec.artifacts = Json::array();  // a failed run lists no data (docs/design/models.md §4)
    return finish_failed(committed.status());
  }
  const storage::SavedVersion* result_saved = &(*committed)[0];
  const storage::SavedVersion* log_saved = &(*committed)[1];
  if (deps.warning) {
    for (const auto& w : result_saved->warnings) deps.warning(w);
    for (const auto& w : log_saved->warnings) deps.warning(w);
  }
  FEN_RETURN_IF_ERROR(run_log.Close());
  const int64_t duration = participant.duration_ms();

  // §5.8 document.
  Json doc = Json::object();
  doc["modelId"] = def.id;
  doc["modelName"] = def.name;
  doc["modelType"] = def.type;
  doc["methodName"] = req.method;
  doc["status"] = "succeeded";
  doc["duration"] = duration;
  doc["outputId"] = rec.id;
  doc["logFile"] = log_path;
  Json result_entry = {
      {"id", result_saved->id}, {"name", "result"}, {"path", result_saved->version_dir}};
  if (deps.want_attributes) {
    Json attrs = Json::object();
    attrs["exitCode"] = r.exit_code;
    attrs["executedAt"] = executed_at;
    attrs["command"] = args->run;
    attrs["durationMs"] = r.duration_ms;
    if (abnormal) {
      attrs["stdout"] = "";
      attrs["stderr"] = r.error_message;
    } else {
      FEN_ASSIGN_OR_RETURN(std::string out, r.out.ReadPrefix(r.out.captured_size()));
      FEN_ASSIGN_OR_RETURN(std::string err, r.err.ReadPrefix(r.err.captured_size()));
      attrs["stdout"] = std::move(out);
      attrs["stderr"] = std::move(err);
    }
    result_entry["attributes"] = attrs;
  }
  doc["dataArtifacts"] = Json::array(
      {result_entry, {{"id", log_saved->id}, {"name", "log"}, {"path", log_saved->version_dir}}});
  doc["globalArguments"] = def.global_arguments;
  doc["methodArguments"] = method_args;
  doc["initiatedBy"] = "ghost";
  return doc;
}

}  // namespace fen::models
