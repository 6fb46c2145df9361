// See fault_injection_env.h.
#include "env/fault_injection_env.h"

#include <unistd.h>

#include <cerrno>

namespace fen {
namespace {

class FaultFile final : public WritableFile {
 public:
  FaultFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> f)
      : env_(env), path_(std::move(path)), f_(std::move(f)) {}
  Status Append(std::string_view data) override {
    FEN_RETURN_IF_ERROR(env_->Check("write", path_, "", false));
    return f_->Append(data);
  }
  Status Sync() override {
    FEN_RETURN_IF_ERROR(env_->Check("fsync", path_, "", true));
    return f_->Sync();
  }
  Status Close() override { return f_->Close(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> f_;
};

}  // namespace

void FaultInjectionEnv::ClearRules() {
  fail_nth_ = fail_from_ = exit_at_ = -1;
  fail_sync_errno_ = 0;
  read_only_ = false;
  match_rules_.clear();
}

Status FaultInjectionEnv::Check(const char* op, const std::string& path, const std::string& path2,
                                bool is_sync) {
  const int n = ++count_;
  if (n == exit_at_) _exit(exit_code_);
  int err = 0;
  if (read_only_) err = EROFS;
  if (n == fail_nth_) err = fail_nth_errno_;
  if (fail_from_ > 0 && n >= fail_from_) err = fail_from_errno_;
  if (is_sync && fail_sync_errno_ != 0) err = fail_sync_errno_;
  for (const auto& r : match_rules_) {
    if (r.reads) continue;
    if (path.find(r.substr) != std::string::npos ||
        (!path2.empty() && path2.find(r.substr) != std::string::npos)) {
      err = r.err;
    }
  }
  if (err == 0) return Status::Ok();
  ++failures_;
  return ErrnoError(std::string("injected fault: cannot ") + op, path, err);
}

Status FaultInjectionEnv::CheckRead(const std::string& path) {
  for (const auto& r : match_rules_) {
    if (r.reads && path.find(r.substr) != std::string::npos) {
      ++failures_;
      return ErrnoError("injected fault: cannot read", path, r.err);
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewExclusiveFile(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("create", path, "", false));
  auto f = base_->NewExclusiveFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultFile(this, path, std::move(f).value()));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("open", path, "", false));
  auto f = base_->NewAppendableFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultFile(this, path, std::move(f).value()));
}

Result<std::string> FaultInjectionEnv::ReadFile(const std::string& path) {
  FEN_RETURN_IF_ERROR(CheckRead(path));
  return base_->ReadFile(path);
}
Status FaultInjectionEnv::SyncDir(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("fsync", path, "", true));
  return base_->SyncDir(path);
}
Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  FEN_RETURN_IF_ERROR(Check("rename", from, to, false));
  return base_->Rename(from, to);
}
Status FaultInjectionEnv::RenameNoReplace(const std::string& from, const std::string& to) {
  FEN_RETURN_IF_ERROR(Check("rename", from, to, false));
  return base_->RenameNoReplace(from, to);
}
Status FaultInjectionEnv::Link(const std::string& from, const std::string& to) {
  FEN_RETURN_IF_ERROR(Check("link", from, to, false));
  return base_->Link(from, to);
}
Status FaultInjectionEnv::Unlink(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("unlink", path, "", false));
  return base_->Unlink(path);
}
Status FaultInjectionEnv::CreateDir(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("mkdir", path, "", false));
  return base_->CreateDir(path);
}
Status FaultInjectionEnv::RemoveDir(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("rmdir", path, "", false));
  return base_->RemoveDir(path);
}
Status FaultInjectionEnv::RemoveTree(const std::string& path) {
  FEN_RETURN_IF_ERROR(Check("remove", path, "", false));
  return base_->RemoveTree(path);
}
Result<std::vector<DirEntry>> FaultInjectionEnv::ListDir(const std::string& path) {
  FEN_RETURN_IF_ERROR(CheckRead(path));
  return base_->ListDir(path);
}
Result<FileInfo> FaultInjectionEnv::Stat(const std::string& path) {
  FEN_RETURN_IF_ERROR(CheckRead(path));
  return base_->Stat(path);
}
Result<FileInfo> FaultInjectionEnv::Lstat(const std::string& path) {
  FEN_RETURN_IF_ERROR(CheckRead(path));
  return base_->Lstat(path);
}
Result<std::string> FaultInjectionEnv::ReadLink(const std::string& path) {
  return base_->ReadLink(path);
}
Result<std::string> FaultInjectionEnv::RealPath(const std::string& path) {
  return base_->RealPath(path);
}
bool FaultInjectionEnv::Access(const std::string& path, int mode) {
  return base_->Access(path, mode);
}

}  // namespace fen
