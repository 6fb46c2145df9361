// Lock messages and holder look-ups. See src/locking/lock_messages.h.
#include "locking/lock_messages.h"

#include <chrono>

#include "fen/base/clock.h"
#include "locking/holder_info.h"

namespace fen::locking {
namespace {

std::optional<HolderView> ViewOf(const ObservedHolder* h) {
  if (h == nullptr || !h->info.is_object()) return std::nullopt;
  HolderView v;
  const Json& j = h->info;
  if (j.contains("holder") && j["holder"].is_string()) v.holder = j["holder"].get<std::string>();
  if (j.contains("pid") && j["pid"].is_number_integer()) v.pid = j["pid"].get<int64_t>();
  if (j.contains("acquiredAt") && j["acquiredAt"].is_string()) {
    v.acquired_at = j["acquiredAt"].get<std::string>();
  }
  return v;
}

std::vector<ObservedHolder> Holders(Env* env, const std::string& dir) {
  auto r = ReadHolders(env, dir);
  return r.ok() ? std::move(r).value() : std::vector<ObservedHolder>{};
}

bool IsExclusive(const ObservedHolder& h) {
  return h.info.is_object() && h.info.value("mode", std::string()) == "exclusive";
}

}  // namespace

Status TimeoutError(const std::string& key, const std::optional<HolderView>& holder,
                    int64_t waited_ms) {
  std::string msg = "Lock \"" + key + "\"";
  if (holder) msg += " held by " + holder->holder + " (pid " + std::to_string(holder->pid) + ")";
  msg += " — timed out after " + std::to_string(waited_ms) + "ms";
  bool solo_global =
      (key == ".datastore.lock" ||
       (key.size() >= 16 && key.compare(key.size() - 16, 16, "/.datastore.lock") == 0)) &&
      key.find("/.locks/") == std::string::npos;
  if (solo_global) {
    msg +=
        "\n\nMultiple repos sharing this datastore serialize all writes behind a single global "
        "lock. To scope each repo to its own lock and index, run:\n"
        "  swamp datastore namespace set <name>\n"
        "  swamp datastore namespace migrate --confirm";
  }
  return Status(ErrorCode::kLockTimeout, msg);
}

std::string ModelWaitLine(const std::string& key, const std::optional<HolderView>& holder) {
  if (!holder) return "Waiting for lock " + key + " held by unknown";
  int64_t age = 0;
  if (auto at = ParseIsoMillis(holder->acquired_at)) {
    age = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() -
                                                                *at)
              .count();
  }
  return "Waiting for lock " + key + " held by " + holder->holder + " (pid " +
         std::to_string(holder->pid) + ", acquired " + std::to_string(age) + "ms ago)";
}

std::optional<HolderView> StructuralHolder(Env* env, const LockLayout& layout) {
  std::vector<ObservedHolder> all;
  for (auto& h : Holders(env, layout.holders_dir("global"))) {
    if (IsExclusive(h)) all.push_back(std::move(h));
  }
  if (auto v = ViewOf(EarliestLive(all))) return v;
  auto gate = Holders(env, layout.holders_dir("gate"));
  return ViewOf(EarliestLive(gate));
}

std::optional<HolderView> GlobalHolder(Env* env, const LockLayout& layout) {
  auto all = Holders(env, layout.holders_dir("global"));
  return ViewOf(EarliestLive(all));
}

std::optional<HolderView> ModelHolder(Env* env, const LockLayout& layout,
                                      const std::string& lockname) {
  auto all = Holders(env, layout.holders_dir(lockname));
  return ViewOf(EarliestLive(all));
}

std::string DescribeStructuralHolder(Env* env, const LockLayout& layout) {
  auto v = StructuralHolder(env, layout);
  return v ? v->holder : std::string("unknown");
}

WriterCount CountLiveWriters(Env* env, const LockLayout& layout) {
  WriterCount c;
  for (const auto& h : Holders(env, layout.holders_dir("global"))) {
    if (h.live && !IsExclusive(h)) ++c.writers;
  }
  return c;
}

}  // namespace fen::locking
