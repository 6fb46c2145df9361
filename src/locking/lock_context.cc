// FEN_LOCK_CONTEXT parsing and validation. See src/locking/lock_context.h.
#include "locking/lock_context.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "locking/holder_info.h"
#include "locking/proc_stat.h"

namespace fen::locking {
namespace {

int64_t ParentOf(int64_t pid) {
  auto st = ReadProcStat(pid);
  return st ? st->ppid : 0;
}

}  // namespace

std::vector<ContextEntry> ParseLockContext(std::string_view text) {
  std::vector<ContextEntry> out;
  if (text.empty()) return out;
  // No exceptions on the normal path: a throw costs far more than the parse.
  Json arr = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!arr.is_array()) return out;
  for (const Json& j : arr) {
    if (!j.is_object()) continue;
    try {
      ContextEntry e;
      e.pid = j.at("pid").get<int64_t>();
      e.boot_id = j.at("bootId").get<std::string>();
      e.pid_namespace = j.at("pidNamespace").get<uint64_t>();
      e.datastore = j.at("datastore").get<std::string>();
      e.scope = j.at("scope").get<std::string>();
      e.global = j.at("global").get<std::string>();
      for (const Json& m : j.at("models")) e.models.push_back(m.get<std::string>());
      e.command = j.value("command", std::string());
      if (e.pid <= 0) continue;
      out.push_back(std::move(e));
    } catch (const std::exception&) {
      continue;  // ill-typed entry: ignored
    }
  }
  return out;
}

Json ContextEntryToJson(const ContextEntry& e) {
  Json j = Json::object();
  j["pid"] = e.pid;
  j["bootId"] = e.boot_id;
  j["pidNamespace"] = e.pid_namespace;
  j["datastore"] = e.datastore;
  j["scope"] = e.scope;
  j["global"] = e.global;
  j["models"] = e.models;
  j["command"] = e.command;
  return j;
}

std::string AppendLockContext(std::string_view inherited, const ContextEntry& own) {
  Json arr = Json::array();
  if (!inherited.empty()) {
    Json parsed = Json::parse(inherited, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array()) arr = std::move(parsed);
  }
  arr.push_back(ContextEntryToJson(own));
  return ToCompactJson(arr);
}

std::set<int64_t> AncestorPids() {
  std::set<int64_t> out;
  int64_t pid = getppid();
  for (int depth = 0; pid > 0 && depth < 256; ++depth) {
    if (!out.insert(pid).second) break;
    if (pid == 1) break;
    pid = ParentOf(pid);
  }
  return out;
}

std::vector<ContextEntry> TrustedEntries(const std::vector<ContextEntry>& entries,
                                         const std::string& datastore_real,
                                         const std::string& scope) {
  std::vector<ContextEntry> out;
  if (entries.empty()) return out;
  const ProcessIdentity& me = ProcessIdentity::Current();
  std::set<int64_t> ancestors = AncestorPids();
  for (const ContextEntry& e : entries) {
    if (e.boot_id != me.boot_id || e.pid_namespace != me.pid_namespace) continue;
    if (ancestors.count(e.pid) == 0) continue;  // also implies alive
    if (kill(static_cast<pid_t>(e.pid), 0) != 0 && errno == ESRCH) continue;
    if (e.datastore != datastore_real || e.scope != scope) continue;
    out.push_back(e);
  }
  return out;
}

}  // namespace fen::locking
