// `fen model ...` (cli.md §5, §6): thin handlers over fen/models (docs/design/models.md).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/backend_feedback.h"
#include "cli/command_registry.h"
#include "fen/backends.h"
#include "fen/base/clock.h"
#include "fen/models/method_run.h"
#include "fen/models/model_service.h"
#include "fen/models/output_service.h"
#include "fen/models/run_inputs.h"
#include "fen/repo/repo_context.h"

namespace fen::cli {
namespace {

Result<RepoContext> Open(CommandContext& ctx) { return OpenCommandRepo(ctx); }

void EmitWarnings(CommandContext& ctx, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    ctx.out.Warning("broken_definition", w, Json{{"message", w}});
  }
}

void RenderMethods(CommandContext& ctx, const Json& methods) {
  ctx.out.Line("Methods:");
  for (const auto& m : methods) {
    ctx.out.Line(" " + m["name"].get<std::string>() + " - " + m["description"].get<std::string>());
    ctx.out.Line(" Inputs:");
    const Json& schema = m["arguments"];
    for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
      bool required = false;
      for (const auto& r : schema["required"]) required = required || r == it.key();
      ctx.out.Line("      " + it.key() + " (" + it.value()["type"].get<std::string>() + ")" +
                   (required ? " *required" : ""));
    }
  }
}

struct RunArgs {
  std::string model, method, definition_name;
  std::vector<std::string> inputs, tags, skip_check, skip_check_label, skip_report,
      skip_report_label, report, report_label;
  std::string input_file, timeout, server, token, traceparent, tracestate;
  bool stdin_flag = false, last_evaluated = false, skip_checks = false, skip_reports = false;
};

Status RunMethodCommand(CommandContext& ctx, const RunArgs& a) {
  if (!a.model.empty() && a.model[0] == '@') {
    return Status(ErrorCode::kInvalidArguments,
                  "Direct type execution (" + a.model +
                      ") is not supported by fen; create the "
                      "model with `fen model create` and run it by name");
  }
  if (!a.server.empty() || !a.token.empty()) {
    return Status(ErrorCode::kInvalidArguments,
                  "--server/--token (remote execution) are not supported by fen");
  }
  if (a.stdin_flag) {
    return Status(ErrorCode::kInvalidArguments, "--stdin batch runs are not supported by fen");
  }
  if (a.last_evaluated) {
    return Status(ErrorCode::kInvalidArguments,
                  "--last-evaluated is not supported by fen (no expressions are evaluated)");
  }
  models::MethodRunRequest req;
  req.model = a.model;
  req.method = a.method;
  FEN_ASSIGN_OR_RETURN(req.inputs, models::ParseRunInputs(ctx.env, a.inputs, a.input_file));
  FEN_ASSIGN_OR_RETURN(req.tags, models::ParseTags(a.tags));
  if (!a.timeout.empty()) {
    FEN_ASSIGN_OR_RETURN(int64_t ms, models::ParseDurationMillis(a.timeout));
    req.cancel_after_ms = ms;
  }
  req.command_line = "model method run " + a.model + " " + a.method;
  FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
  FEN_ASSIGN_OR_RETURN(auto store, OpenDataStore(ctx.env, repo, CliDataStoreOptions(ctx)));
  FEN_ASSIGN_OR_RETURN(auto locks, OpenLockManager(ctx.env, repo));
  models::MethodRunDeps deps;
  deps.env = ctx.env;
  deps.repo = &repo;
  deps.store = store.get();
  deps.locks = locks.get();
  deps.want_attributes = ctx.out.json();
  deps.lock_notice = LockNotice(ctx);
  deps.warning = [&](const std::string& w) {
    bool broken = w.rfind("Skipping broken definition file", 0) == 0;
    ctx.out.Warning(broken ? "broken_definition" : "storage_warning", w, Json{{"message", w}});
  };
  deps.lock_wait_warning = LockWaitWarning(ctx);
  if (!ctx.out.json()) {
    deps.on_line = [&](models::OutputStream, std::string_view line) {
      ctx.out.out() << "              " << line << '\n';
    };
  }
  auto doc = models::RunModelMethod(req, deps);
  if (!doc.ok()) return doc.status();
  if (ctx.out.json()) {
    ctx.out.Document(*doc);
  } else {
    ctx.out.Line("");
    ctx.out.Line("  Completed   " + a.method + " on " + (*doc)["modelName"].get<std::string>() +
                 " succeeded in " + std::to_string((*doc)["duration"].get<int64_t>()) + "ms");
    for (const auto& d : (*doc)["dataArtifacts"]) {
      ctx.out.Line("  Data        " + d["name"].get<std::string>() + "  " +
                   d["path"].get<std::string>());
    }
  }
  return Status::Ok();
}

void EmitOutputWarnings(CommandContext& ctx, const models::OutputService& svc) {
  for (const auto& w : svc.warnings()) {
    bool broken = w.rfind("Skipping broken definition file", 0) == 0;
    ctx.out.Warning(broken ? "broken_definition" : "corrupt_run_record", w, Json{{"message", w}});
  }
}

// `fen model output ...` (cli.md §6.5; docs/design/models.md §9).
void RegisterOutputCommands(CommandRegistry& registry, CLI::App* model) {
  CLI::App* output = registry.Group(model, "output", "Inspect method run records");

  // model output get: JSON in both modes (cli.md §6.5).
  {
    auto id = std::make_shared<std::string>();
    CLI::App* c = registry.Command(output, "get", "Show a run record (by id prefix or model)",
                                   [id](CommandContext& ctx) -> Status {
                                     FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
                                     models::OutputService svc(ctx.env, &repo);
                                     auto doc = svc.Get(*id);
                                     EmitOutputWarnings(ctx, svc);
                                     if (!doc.ok()) return doc.status();
                                     ctx.out.out() << ToPrettyJson(*doc) << '\n';
                                     return Status::Ok();
                                   });
    c->add_option("id_or_model", *id, "Output id (prefix) or model id/name")->required();
  }

  // model output search (hidden alias: list)
  {
    auto q = std::make_shared<std::string>();
    auto handler = [q](CommandContext& ctx) -> Status {
      FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
      models::OutputService svc(ctx.env, &repo);
      auto doc = svc.Search(*q);
      EmitOutputWarnings(ctx, svc);
      if (!doc.ok()) return doc.status();
      // As model search (cli.md §6.3): without a TTY the text mode prints the JSON document.
      if (ctx.out.json() || isatty(STDIN_FILENO) != 1) {
        ctx.out.out() << ToPrettyJson(*doc) << '\n';
      } else {
        for (const auto& r : (*doc)["results"]) {
          ctx.out.Line(r["id"].get<std::string>() + "  " + r["modelName"].get<std::string>() +
                       "  " + ToCompactJson(r["methodName"]) + "  " + ToCompactJson(r["status"]) +
                       "  " + ToCompactJson(r["startedAt"]));
        }
      }
      return Status::Ok();
    };
    for (const char* name : {"search", "list"}) {
      CLI::App* c = registry.Command(output, name, "Search run records", handler);
      c->add_option("query", *q, "Substring of model, type, method, status or id");
      if (std::string(name) == "list") c->group("");
    }
  }

  // model output data
  {
    struct DataArgs {
      std::string id, name, field;
      int64_t version = 0;
    };
    auto a = std::make_shared<DataArgs>();
    CLI::App* c = registry.Command(
        output, "data", "Show the data an output produced", [a](CommandContext& ctx) -> Status {
          FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
          FEN_ASSIGN_OR_RETURN(auto store, OpenDataStore(ctx.env, repo, CliDataStoreOptions(ctx)));
          models::OutputService svc(ctx.env, &repo);
          std::optional<int64_t> version;
          if (a->version > 0) version = a->version;
          auto doc = svc.Data(a->id, a->name, a->field, version, store.get());
          EmitOutputWarnings(ctx, svc);
          if (!doc.ok()) return doc.status();
          if (ctx.out.json()) {
            ctx.out.Document(*doc);
          } else if ((*doc)["data"].is_string()) {
            ctx.out.out() << (*doc)["data"].get<std::string>() << '\n';
          } else {
            ctx.out.out() << ToPrettyJson((*doc)["data"]) << '\n';
          }
          return Status::Ok();
        });
    c->add_option("output_id", a->id, "Output id (prefix)")->required();
    c->add_option("--name", a->name, "Artifact name");
    c->add_option("--field", a->field, "Field of JSON data (dotted path)");
    c->add_option("--version", a->version, "Artifact version (default: the run's)");
  }

  // model output logs
  {
    struct LogsArgs {
      std::string id;
      int64_t tail = -1;
    };
    auto a = std::make_shared<LogsArgs>();
    CLI::App* c = registry.Command(
        output, "logs", "Show an output's log", [a](CommandContext& ctx) -> Status {
          FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
          FEN_ASSIGN_OR_RETURN(auto store, OpenDataStore(ctx.env, repo, CliDataStoreOptions(ctx)));
          models::OutputService svc(ctx.env, &repo);
          std::optional<int64_t> tail;
          if (a->tail >= 0) tail = a->tail;
          auto doc = svc.Logs(a->id, tail, store.get());
          EmitOutputWarnings(ctx, svc);
          if (!doc.ok()) return doc.status();
          if (ctx.out.json()) {
            ctx.out.Document(*doc);
          } else {
            for (const auto& l : (*doc)["lines"]) ctx.out.out() << l.get<std::string>() << '\n';
          }
          return Status::Ok();
        });
    c->add_option("output_id", a->id, "Output id (prefix)")->required();
    c->add_option("--tail", a->tail, "Only the last N lines");
  }
}

}  // namespace

void RegisterModelCommands(CommandRegistry& registry) {
  CLI::App* model = registry.Group(nullptr, "model", "Model definitions and method runs");

  // model create
  {
    auto a = std::make_shared<std::tuple<std::string, std::string, std::vector<std::string>>>();
    CLI::App* c = registry.Command(
        model, "create", "Create a model definition", [a](CommandContext& ctx) -> Status {
          FEN_ASSIGN_OR_RETURN(Json globals,
                               models::ParseKeyValueArguments(ctx.env, std::get<2>(*a)));
          FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
          models::ModelService svc(ctx.env, &repo);
          auto doc = svc.Create(std::get<0>(*a), std::get<1>(*a), globals);
          EmitWarnings(ctx, svc.warnings());
          if (!doc.ok()) return doc.status();
          if (ctx.out.json()) {
            ctx.out.Document(*doc);
          } else {
            ctx.out.Line("Created: " + (*doc)["name"].get<std::string>() + " (" +
                         (*doc)["type"].get<std::string>() + ")");
            ctx.out.Line("Path: " + (*doc)["path"].get<std::string>());
            ctx.out.Line("Version: " + (*doc)["version"].get<std::string>());
            RenderMethods(ctx, (*doc)["methods"]);
          }
          return Status::Ok();
        });
    c->add_option("type", std::get<0>(*a), "Model type (command/shell)")->required();
    c->add_option("name", std::get<1>(*a), "Definition name")->required();
    c->add_option("--global-arg", std::get<2>(*a), "Global argument key=value (repeatable)");
  }

  // model get
  {
    auto id = std::make_shared<std::string>();
    CLI::App* c = registry.Command(
        model, "get", "Show a model definition", [id](CommandContext& ctx) -> Status {
          FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
          models::ModelService svc(ctx.env, &repo);
          auto doc = svc.Get(*id);
          EmitWarnings(ctx, svc.warnings());
          if (!doc.ok()) return doc.status();
          if (ctx.out.json()) {
            ctx.out.Document(*doc);
            return Status::Ok();
          }
          const Json& d = *doc;
          ctx.out.Line("Name: " + d["name"].get<std::string>());
          ctx.out.Line("ID: " + d["id"].get<std::string>());
          ctx.out.Line("Version: " + std::to_string(d["version"].get<int64_t>()));
          if (d.contains("autoCreated")) ctx.out.Line("Auto-created: yes");
          ctx.out.Line("Tags:");
          for (auto it = d["tags"].begin(); it != d["tags"].end(); ++it) {
            ctx.out.Line("  " + it.key() + ": " + it.value().get<std::string>());
          }
          ctx.out.Line("Global Arguments:");
          for (auto it = d["globalArguments"].begin(); it != d["globalArguments"].end(); ++it) {
            ctx.out.Line("  " + it.key() + ": " +
                         (it.value().is_string() ? it.value().get<std::string>()
                                                 : ToCompactJson(it.value())));
          }
          ctx.out.Line("Type Version: " + d["typeVersion"].get<std::string>());
          RenderMethods(ctx, d["methods"]);
          return Status::Ok();
        });
    c->add_option("id_or_name", *id, "Model id or name")->required();
  }

  // model search (hidden alias: list)
  {
    auto q = std::make_shared<std::pair<std::string, bool>>();
    auto handler = [q](CommandContext& ctx) -> Status {
      FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
      models::ModelService svc(ctx.env, &repo);
      auto doc = svc.Search(q->first);
      EmitWarnings(ctx, svc.warnings());
      if (!doc.ok()) return doc.status();
      // cli.md §6.3: without a TTY on stdin the text mode falls back to the JSON document.
      if (ctx.out.json() || isatty(STDIN_FILENO) != 1) {
        ctx.out.out() << ToPrettyJson(*doc) << '\n';
      } else {
        for (const auto& r : (*doc)["results"]) {
          ctx.out.Line(r["name"].get<std::string>() + "  " + r["type"].get<std::string>() + "  " +
                       r["id"].get<std::string>());
        }
      }
      return Status::Ok();
    };
    for (const char* name : {"search", "list"}) {
      CLI::App* c = registry.Command(model, name, "Search model definitions", handler);
      c->add_option("query", q->first, "Substring of name, type or id");
      c->add_flag("--all", q->second, "Include internal types");
      if (std::string(name) == "list") c->group("");
    }
  }

  // model validate
  {
    auto id = std::make_shared<std::string>();
    CLI::App* c =
        registry.Command(model, "validate", "Check a definition's stored method arguments",
                         [id](CommandContext& ctx) -> Status {
                           FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
                           models::ModelService svc(ctx.env, &repo);
                           auto doc = svc.Validate(*id);
                           EmitWarnings(ctx, svc.warnings());
                           if (!doc.ok()) return doc.status();
                           if (ctx.out.json()) {
                             ctx.out.Document(*doc);
                           } else {
                             ctx.out.Line("Valid: " + (*doc)["name"].get<std::string>() + " (" +
                                          (*doc)["type"].get<std::string>() + ")");
                           }
                           return Status::Ok();
                         });
    c->add_option("id_or_name", *id, "Model id or name")->required();
  }

  // model delete
  {
    struct DeleteArgs {
      std::string id;
      bool yes = false, force = false;
    };
    auto a = std::make_shared<DeleteArgs>();
    CLI::App* c = registry.Command(
        model, "delete", "Delete a model definition", [a](CommandContext& ctx) -> Status {
          FEN_ASSIGN_OR_RETURN(RepoContext repo, Open(ctx));
          models::ModelService svc(ctx.env, &repo);
          FEN_ASSIGN_OR_RETURN(auto store, OpenDataStore(ctx.env, repo, CliDataStoreOptions(ctx)));
          if (!ctx.out.json() && !a->yes && !a->force) {
            // Plan without locks, confirm, then lock and recompute (locking.md §6.9).
            auto plan = svc.PlanDelete(a->id, store.get());
            EmitWarnings(ctx, svc.warnings());
            if (!plan.ok()) return plan.status();
            std::string prompt = "Delete model '" + plan->def.name + "' (" + plan->def.id + ")?";
            if (!plan->run_records.empty()) {
              prompt += " This will also delete: " + std::to_string(plan->run_records.size()) +
                        " output(s).";
            }
            ctx.out.out() << prompt << " [y/N] " << std::flush;
            std::string answer;
            std::getline(std::cin, answer);
            if (answer != "y" && answer != "Y" && answer != "yes") {
              ctx.out.Warning("cancelled", "Deletion cancelled.");
              return Status::Ok();
            }
          }
          FEN_ASSIGN_OR_RETURN(auto locks, OpenLockManager(ctx.env, repo));
          auto doc = svc.Delete(a->id, a->force, store.get(), locks.get(), "model delete " + a->id);
          EmitWarnings(ctx, svc.warnings());
          if (!doc.ok()) return doc.status();
          if (ctx.out.json()) {
            ctx.out.Document(*doc);
          } else {
            ctx.out.Log(LogLevel::kInfo, "model·delete",
                        "Deleted model: " + (*doc)["deleted"]["name"].get<std::string>() + " (" +
                            (*doc)["deleted"]["type"].get<std::string>() + ")");
          }
          return Status::Ok();
        });
    c->add_option("id_or_name", a->id, "Model id or name")->required();
    c->add_flag("-y,--yes", a->yes, "Do not ask for confirmation");
    c->add_flag("-f,--force", a->force, "Also delete the model's data");
  }

  // model method run
  {
    CLI::App* method = registry.Group(model, "method", "Run model methods");
    auto a = std::make_shared<RunArgs>();
    CLI::App* c = registry.Command(method, "run", "Run a model method",
                                   [a](CommandContext& ctx) { return RunMethodCommand(ctx, *a); });
    c->add_option("model", a->model, "Model id or name")->required();
    c->add_option("method", a->method, "Method name")->required();
    c->add_option("definition_name", a->definition_name, "Definition name (direct execution)");
    c->add_option("--input,--arg", a->inputs, "Input key=value or a JSON object (repeatable)");
    c->add_option("--input-file", a->input_file, "YAML file of inputs");
    c->add_flag("--stdin", a->stdin_flag, "Read inputs from stdin (not supported)");
    c->add_option("--tag", a->tags, "Data tag KEY=VALUE (repeatable)");
    c->add_flag("--last-evaluated", a->last_evaluated, "Use the last evaluated definition");
    c->add_option("--timeout", a->timeout, "Cancel the run after 30|30s|5m|1h");
    c->add_flag("--skip-checks", a->skip_checks, "Accepted (no checks in fen)");
    c->add_option("--skip-check", a->skip_check, "Accepted (no checks in fen)");
    c->add_option("--skip-check-label", a->skip_check_label, "Accepted (no checks in fen)");
    c->add_flag("--skip-reports", a->skip_reports, "Accepted (no reports in fen)");
    c->add_option("--skip-report", a->skip_report, "Accepted (no reports in fen)");
    c->add_option("--skip-report-label", a->skip_report_label, "Accepted (no reports in fen)");
    c->add_option("--report", a->report, "Accepted (no reports in fen)");
    c->add_option("--report-label", a->report_label, "Accepted (no reports in fen)");
    c->add_option("--server", a->server, "Remote execution (not supported)");
    c->add_option("--token", a->token, "Remote execution (not supported)");
    c->add_option("--traceparent", a->traceparent, "Accepted and ignored");
    c->add_option("--tracestate", a->tracestate, "Accepted and ignored");
  }

  RegisterOutputCommands(registry, model);
}

}  // namespace fen::cli
