#include "fen/base/status.h"

#include <cerrno>
#include <cstring>

namespace fen {

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

bool Status::IsNotFound() const { return !ok() && sys_errno_ == ENOENT; }

Status IoError(std::string message) { return Status(ErrorCode::kIoError, std::move(message)); }

Status ErrnoError(const std::string& what, const std::string& path, int err) {
  return Status(ErrorCode::kIoError, what + " " + path + ": " + std::strerror(err), err);
}

}  // namespace fen
