// The §3.2 walk (include/fen/storage/model_dir_walk.h).
#include "fen/storage/model_dir_walk.h"

#include <algorithm>

#include "fen/storage/data_format.h"

namespace fen::storage {
namespace {
constexpr int kMaxWalkDepth = 32;  // guard against pathological trees
}  // namespace

ModelDirWalker::ModelDirWalker(Env* env, std::function<bool(const std::string&)> witness)
    : env_(env), witness_(std::move(witness)) {}

const Result<std::vector<DirEntry>>& ModelDirWalker::List(const std::string& dir) {
  auto it = listings_.find(dir);
  if (it != listings_.end()) return it->second;
  return listings_.emplace(dir, env_->ListDir(dir)).first->second;
}

// True iff some child C of `dir` has a child ^\d+$ holding a regular metadata.yaml (§3.2).
bool ModelDirWalker::IsModelIdDir(const std::string& dir) {
  const auto& children = List(dir);
  if (!children.ok()) return false;
  for (const auto& c : *children) {
    if (c.type != FileType::kDirectory) continue;
    const std::string cdir = dir + "/" + c.name;
    if (witness_ && witness_(cdir)) return true;
    auto grand = env_->ListDir(cdir);  // not memoised: only the walk needs it
    if (!grand.ok()) continue;
    for (const auto& g : *grand) {
      if (g.type != FileType::kDirectory || g.name.empty() ||
          !std::all_of(g.name.begin(), g.name.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; })) {
        continue;
      }
      auto st = env_->Stat(cdir + "/" + g.name + "/metadata.yaml");
      if (st.ok() && st->type == FileType::kRegular) return true;
    }
  }
  return false;
}

Status ModelDirWalker::Walk(const std::string& data_root, std::vector<ModelKey>* out,
                            std::vector<CorruptReport>* reports) {
  std::vector<std::string> segments;
  return WalkDir(data_root, segments, 0, out, reports);
}

Status ModelDirWalker::WalkDir(const std::string& dir, std::vector<std::string>& segments,
                               int depth, std::vector<ModelKey>* out,
                               std::vector<CorruptReport>* reports) {
  if (depth > kMaxWalkDepth) return Status::Ok();
  const auto& entries_result = List(dir);
  if (!entries_result.ok()) {
    if (entries_result.status().IsNotFound() && depth == 0) return Status::Ok();
    if (depth == 0) return entries_result.status();
    if (reports != nullptr) reports->push_back({dir, entries_result.status().message()});
    return Status::Ok();
  }
  const std::vector<DirEntry>& entries = *entries_result;  // memo values are node-stable
  for (const auto& e : entries) {
    if (e.type != FileType::kDirectory) continue;
    const std::string child = dir + "/" + e.name;
    if (!segments.empty() && IsModelIdDir(child)) {
      std::string raw;
      for (const auto& s : segments) raw += (raw.empty() ? "" : "/") + s;
      auto type = NormalizeModelType(raw);
      if (!type.ok() || !ValidateModelIdSegment(e.name).ok()) {
        if (reports != nullptr) {
          reports->push_back({child, "\"" + raw + "\" is not a valid model type"});
        }
        continue;
      }
      out->push_back({*type, e.name});
      continue;
    }
    segments.push_back(e.name);
    Status s = WalkDir(child, segments, depth + 1, out, reports);
    segments.pop_back();
    FEN_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

}  // namespace fen::storage
