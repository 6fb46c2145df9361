// Lock paths and model spec parsing. See include/fen/locking/lock_layout.h.
#include "fen/locking/lock_layout.h"

#include "fen/base/sha256.h"

namespace fen::locking {

std::string ModelKey(const ModelRef& model) { return model.type + "/" + model.id; }

Result<ModelRef> ParseModelSpec(std::string_view spec) {
  size_t slash = spec.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == spec.size()) {
    return Status(ErrorCode::kValidationFailed,
                  "Invalid --model format: \"" + std::string(spec) +
                      "\". Expected \"type/id\" (e.g. aws-ec2/my-server, or @org/name/my-server "
                      "for scoped extension types).");
  }
  ModelRef ref{std::string(spec.substr(0, slash)), std::string(spec.substr(slash + 1))};
  return ref;
}

namespace {

bool BadSegment(std::string_view s) {
  return s.empty() || s == "." || s == ".." || s.find('\0') != std::string_view::npos ||
         s.find('\\') != std::string_view::npos;
}

}  // namespace

Status ValidateModelRef(const ModelRef& model) {
  auto invalid = [&] {
    return Status(ErrorCode::kValidationFailed,
                  "Invalid model reference for locking: \"" + ModelKey(model) + "\"");
  };
  if (BadSegment(model.id) || model.id.find('/') != std::string::npos) return invalid();
  std::string_view type = model.type;
  if (type.empty()) return invalid();
  size_t start = 0;
  while (true) {
    size_t slash = type.find('/', start);
    std::string_view seg =
        type.substr(start, slash == std::string_view::npos ? type.npos : slash - start);
    if (BadSegment(seg)) return invalid();
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

bool IsValidNamespace(std::string_view ns) {
  if (ns.empty() || ns.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(ns.front()) || !alnum(ns.back())) return false;
  for (char c : ns) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

Result<LockLayout> LockLayout::Make(const std::string& datastore_root, const std::string& ns) {
  if (!ns.empty() && !IsValidNamespace(ns)) {
    return Status(ErrorCode::kValidationFailed, "Invalid datastore namespace: \"" + ns + "\"");
  }
  LockLayout l;
  l.root_ = datastore_root;
  while (l.root_.size() > 1 && l.root_.back() == '/') l.root_.pop_back();
  l.ns_ = ns;
  l.scope_ = ns.empty() ? "_solo" : ns;
  return l;
}

std::string LockLayout::ModelHash(const ModelRef& model) {
  std::string bytes = model.type;
  bytes.push_back('\0');
  bytes += model.id;
  return Sha256Hex(bytes);
}

std::string LockLayout::model_path(const ModelRef& model) const {
  return models_dir() + "/" + ModelHash(model);
}

std::string LockLayout::holders_dir(const std::string& lockname) const {
  return scope_dir() + "/holders/" + lockname;
}

std::string LockLayout::ModelLockName(const ModelRef& model) { return "model-" + ModelHash(model); }

std::string LockLayout::swamp_global_path() const {
  return ns_.empty() ? root_ + "/.datastore.lock" : root_ + "/.locks/" + ns_ + ".lock";
}

std::string LockLayout::data_root() const {
  return ns_.empty() ? root_ + "/data" : root_ + "/" + ns_ + "/data";
}

std::string LockLayout::swamp_model_path(const ModelRef& model) const {
  return data_root() + "/" + model.type + "/" + model.id + "/.lock";
}

}  // namespace fen::locking
