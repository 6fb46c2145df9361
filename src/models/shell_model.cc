// command/shell schema and argument validation (cli.md §4.1; docs/design/models.md §3).
#include "fen/models/shell_model.h"

#include <cmath>
#include <cstdlib>

namespace fen::models {
namespace {

std::string Received(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

std::string Issue(const std::string& msg, const std::string& path) {
  return msg + " at \"" + path + "\"";
}

// "5000" -> 5000 for number fields (JavaScript Number() semantics for plain decimals).
Json CoerceNumber(const Json& v) {
  if (!v.is_string()) return v;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return v;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(d)) return v;
  if (d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) return static_cast<int64_t>(d);
  return d;
}

Json CoerceBool(const Json& v) {
  if (v.is_string() && v == "true") return true;
  if (v.is_string() && v == "false") return false;
  return v;
}

Json CoerceObject(const Json& v) {
  if (!v.is_string()) return v;
  Json parsed = Json::parse(v.get<std::string>(), nullptr, false);
  if (parsed.is_discarded() || !(parsed.is_object() || parsed.is_array())) return v;
  return parsed;
}

}  // namespace

const std::vector<std::string>& ShellArgumentNames() {
  static const std::vector<std::string> kNames = {"run", "workingDir", "timeout", "env",
                                                  "ignoreExitCode"};
  return kNames;
}

Json ShellMethodsDescription() {
  Json schema = Json::object();
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["type"] = "object";
  Json props = Json::object();
  props["run"] = {
      {"type", "string"}, {"minLength", 1}, {"description", "The shell command to execute"}};
  props["workingDir"] = {{"description", "Working directory for command execution"},
                         {"type", "string"}};
  props["timeout"] = {{"description", "Timeout in milliseconds"},
                      {"type", "integer"},
                      {"exclusiveMinimum", 0},
                      {"maximum", int64_t{9007199254740991}}};
  props["env"] = {{"description", "Environment variables"},
                  {"type", "object"},
                  {"propertyNames", {{"type", "string"}}},
                  {"additionalProperties", {{"type", "string"}}}};
  props["ignoreExitCode"] = {
      {"description", "If true, non-zero exit codes will not cause the method to throw"},
      {"type", "boolean"}};
  schema["properties"] = props;
  schema["required"] = Json::array({"run"});
  schema["additionalProperties"] = false;
  Json method = Json::object();
  method["name"] = kShellMethod;
  method["description"] = "Execute the shell command and capture stdout, stderr, and exit code";
  method["arguments"] = schema;
  return Json::array({method});
}

namespace {

std::vector<std::string> Check(const Json& merged, ShellArguments* out) {
  std::vector<std::string> issues;
  Json in = merged.is_object() ? merged : Json::object();
  // run
  if (!in.contains("run")) {
    issues.push_back(Issue("Invalid input: expected string, received undefined", "run"));
  } else if (!in["run"].is_string()) {
    issues.push_back(
        Issue("Invalid input: expected string, received " + Received(in["run"]), "run"));
  } else if (in["run"].get_ref<const std::string&>().empty()) {
    issues.push_back(Issue("Too small: expected string to have >=1 characters", "run"));
  } else {
    out->run = in["run"].get<std::string>();
  }
  if (in.contains("workingDir")) {
    if (!in["workingDir"].is_string()) {
      issues.push_back(Issue(
          "Invalid input: expected string, received " + Received(in["workingDir"]), "workingDir"));
    } else {
      out->working_dir = in["workingDir"].get<std::string>();
    }
  }
  if (in.contains("timeout")) {
    Json t = CoerceNumber(in["timeout"]);
    if (!t.is_number()) {
      issues.push_back(Issue("Invalid input: expected number, received " + Received(t), "timeout"));
    } else if (!t.is_number_integer()) {
      issues.push_back(Issue("Invalid input: expected int, received number", "timeout"));
    } else if (t.get<int64_t>() <= 0) {
      issues.push_back(Issue("Too small: expected number to be >0", "timeout"));
    } else if (t.get<int64_t>() > int64_t{9007199254740991}) {
      issues.push_back(Issue("Too big: expected int to be <=9007199254740991", "timeout"));
    } else {
      out->timeout_ms = t.get<int64_t>();
    }
  }
  if (in.contains("env")) {
    Json e = CoerceObject(in["env"]);
    if (!e.is_object()) {
      issues.push_back(Issue("Invalid input: expected record, received " + Received(e), "env"));
    } else {
      for (auto it = e.begin(); it != e.end(); ++it) {
        if (!it.value().is_string()) {
          issues.push_back(Issue("Invalid input: expected string, received " + Received(it.value()),
                                 "env." + it.key()));
        } else {
          out->env.emplace_back(it.key(), it.value().get<std::string>());
        }
      }
    }
  }
  if (in.contains("ignoreExitCode")) {
    Json b = CoerceBool(in["ignoreExitCode"]);
    if (!b.is_boolean()) {
      issues.push_back(
          Issue("Invalid input: expected boolean, received " + Received(b), "ignoreExitCode"));
    } else {
      out->ignore_exit_code = b.get<bool>();
    }
  }
  return issues;
}

}  // namespace

std::vector<std::string> ShellArgumentIssues(const Json& merged) {
  ShellArguments unused;
  return Check(merged, &unused);
}

Result<ShellArguments> ValidateShellArguments(const Json& merged) {
  ShellArguments out;
  std::vector<std::string> issues = Check(merged, &out);
  if (!issues.empty()) {
    std::string msg = "Method arguments validation failed: ";
    for (size_t i = 0; i < issues.size(); ++i) msg += (i ? "; " : "") + issues[i];
    return Status(ErrorCode::kValidationFailed, msg);
  }
  return out;
}

}  // namespace fen::models
