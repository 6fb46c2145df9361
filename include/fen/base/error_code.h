// ErrorCode: the stable machine-readable error codes of fen's JSON error envelope
// (spec: shared/spec/cli.md §9.3). The string form is part of fen's public contract:
// scripts match on it, so names never change once released. Thread-safe (pure functions).
#pragma once

#include <string_view>

namespace fen {

enum class ErrorCode {
  kOk = 0,
  kLockTimeout,  // exit 75
  kMethodExecutionFailed,
  kModelNotFound,
  kUnknownModelType,
  kUnknownMethod,
  kValidationFailed,
  kNoEvaluatedDefinition,
  kCancelled,
  kDataNotFound,
  kVersionNotFound,
  kContentNotFound,
  kOutputNotFound,
  kAlreadyExists,
  kAlreadyDeleted,
  kOwnershipMismatch,
  kPathTraversal,
  kInvalidArguments,
  kAmbiguousId,
  kUnknownCommand,  // exit 2
  kMissingSubcommand,
  kNotInitialized,
  kDatastoreUnavailable,
  kQueryFailed,
  kCorruptData,
  kUnsupportedExpression,
  kLockNestedStructural,
  kLockNestedSameModel,
  kLockLost,
  kLockUnsupportedFilesystem,
  kLockUnavailable,
  kIoError,
  kInternalError,
  kInvalidConfig,  // malformed .swamp.yaml / SWAMP_DATASTORE (fen-specific)
  kUsage,          // CLI parser errors: unknown flag, missing argument (exit 2)
};

// The JSON `code` string, e.g. "lock_timeout".
std::string_view ErrorCodeName(ErrorCode code);

// Process exit status for a failure with this code (docs/design/cli.md: 75 for lock
// timeouts, 2 for usage errors, 1 otherwise).
int ExitCodeFor(ErrorCode code);

}  // namespace fen
