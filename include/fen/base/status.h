// Status and Result<T>: errors as values at every library boundary (LevelDB style).
//
// Contract: a Status is either OK or carries an ErrorCode plus a one-line, user-facing
// message that names the thing that failed (the CLI prints it verbatim). Library code never
// throws across its public API; exceptions from third-party parsers are caught at the
// boundary and converted. Status and Result are value types: safe to move between threads,
// not synchronised.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "fen/base/error_code.h"

namespace fen {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The errno behind an I/O failure (0 if none); lets callers tell ENOENT from EIO.
  int sys_errno() const { return sys_errno_; }
  bool IsNotFound() const;  // an I/O error caused by ENOENT

  // "<message>" for errors, "OK" otherwise (for logs and test failure output).
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  int sys_errno_ = 0;
};

// Shorthands for the most common constructors.
Status IoError(std::string message);
// An I/O error for `path`, formatted "<what> <path>: <strerror(err)>", remembering `err`.
Status ErrnoError(const std::string& what, const std::string& path, int err);

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace fen

// Propagate a non-OK Status (or the Status of a failed Result) to the caller.
#define FEN_RETURN_IF_ERROR(expr)              \
  do {                                         \
    const ::fen::Status fen_status_ = (expr);  \
    if (!fen_status_.ok()) return fen_status_; \
  } while (0)

#define FEN_CONCAT_INNER_(a, b) a##b
#define FEN_CONCAT_(a, b) FEN_CONCAT_INNER_(a, b)
// Declare `lhs` from a Result<T>, or return its Status from the enclosing function.
#define FEN_ASSIGN_OR_RETURN(lhs, expr) \
  FEN_ASSIGN_OR_RETURN_IMPL_(FEN_CONCAT_(fen_result_, __LINE__), lhs, expr)
#define FEN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
