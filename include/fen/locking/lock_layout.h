// LockLayout: where the locks of one datastore scope live (shared/spec/locking.md §2.1, §6.2).
//
// fen's kernel lock targets (never deleted, never inside the data tree, never ending in
// ".lock"):
//   {D}/.fen/locks/{scope}/gate | global | models/{sha256(type NUL id)}
//   {D}/.fen/locks/{scope}/holders/{gate|global|model-{h}}/{host}-{bootId}-{pid}-{nonce}.json
// and the swamp-format lock files of mixed fleets and messages:
//   {D}/.datastore.lock | {D}/.locks/{ns}.lock, {D}/[{ns}/]data/{type}/{id}/.lock
// Pure path computation plus validation; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/locking/lock_manager.h"

namespace fen::locking {

// "type/id": the key models are ordered and displayed by.
std::string ModelKey(const ModelRef& model);
// swamp's parseModelSpec (§2.1): splits on the LAST "/"; errors carry swamp's message.
Result<ModelRef> ParseModelSpec(std::string_view spec);
// Rejects type/id values that must not reach a path: empty, NUL, "\", "." or ".." segments,
// "/" in the id, empty type segments (types may contain "/", e.g. "@org/name").
Status ValidateModelRef(const ModelRef& model);
// Namespace slug rule ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$, at most 64 characters.
bool IsValidNamespace(std::string_view ns);

class LockLayout {
 public:
  // `datastore_root` = {D}; `ns` = "" for solo mode. Fails on an invalid namespace.
  static Result<LockLayout> Make(const std::string& datastore_root, const std::string& ns);

  const std::string& datastore_root() const { return root_; }
  const std::string& ns() const { return ns_; }
  const std::string& scope() const { return scope_; }  // ns or "_solo"
  std::string locks_root() const { return root_ + "/.fen/locks"; }
  std::string scope_dir() const { return locks_root() + "/" + scope_; }
  std::string gate_path() const { return scope_dir() + "/gate"; }
  std::string global_path() const { return scope_dir() + "/global"; }
  std::string models_dir() const { return scope_dir() + "/models"; }
  std::string model_path(const ModelRef& model) const;
  static std::string ModelHash(const ModelRef& model);  // sha256 hex of type NUL id
  // holders/{lockname}: lockname = "gate", "global" or "model-{h}".
  std::string holders_dir(const std::string& lockname) const;
  static std::string ModelLockName(const ModelRef& model);

  // swamp-format files (§2.1), also the keys shown in timeout messages (§6.5).
  std::string swamp_global_path() const;  // {D}/.datastore.lock or {D}/.locks/{ns}.lock
  std::string swamp_model_path(const ModelRef& model) const;
  std::string data_root() const;  // {D}/[{ns}/]data

 private:
  std::string root_;
  std::string ns_;
  std::string scope_;
};

}  // namespace fen::locking
