#include "fen/base/error_code.h"

namespace fen {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kLockTimeout:
      return "lock_timeout";
    case ErrorCode::kMethodExecutionFailed:
      return "method_execution_failed";
    case ErrorCode::kModelNotFound:
      return "model_not_found";
    case ErrorCode::kUnknownModelType:
      return "unknown_model_type";
    case ErrorCode::kUnknownMethod:
      return "unknown_method";
    case ErrorCode::kValidationFailed:
      return "validation_failed";
    case ErrorCode::kNoEvaluatedDefinition:
      return "no_evaluated_definition";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kDataNotFound:
      return "data_not_found";
    case ErrorCode::kVersionNotFound:
      return "version_not_found";
    case ErrorCode::kContentNotFound:
      return "content_not_found";
    case ErrorCode::kOutputNotFound:
      return "output_not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kAlreadyDeleted:
      return "already_deleted";
    case ErrorCode::kOwnershipMismatch:
      return "ownership_mismatch";
    case ErrorCode::kPathTraversal:
      return "path_traversal";
    case ErrorCode::kInvalidArguments:
      return "invalid_arguments";
    case ErrorCode::kAmbiguousId:
      return "ambiguous_id";
    case ErrorCode::kUnknownCommand:
      return "unknown_command";
    case ErrorCode::kMissingSubcommand:
      return "missing_subcommand";
    case ErrorCode::kNotInitialized:
      return "not_initialized";
    case ErrorCode::kDatastoreUnavailable:
      return "datastore_unavailable";
    case ErrorCode::kQueryFailed:
      return "query_failed";
    case ErrorCode::kCorruptData:
      return "corrupt_data";
    case ErrorCode::kUnsupportedExpression:
      return "unsupported_expression";
    case ErrorCode::kLockNestedStructural:
      return "lock_nested_structural";
    case ErrorCode::kLockNestedSameModel:
      return "lock_nested_same_model";
    case ErrorCode::kLockLost:
      return "lock_lost";
    case ErrorCode::kLockUnsupportedFilesystem:
      return "lock_unsupported_filesystem";
    case ErrorCode::kLockUnavailable:
      return "lock_unavailable";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kInternalError:
      return "internal_error";
    case ErrorCode::kInvalidConfig:
      return "invalid_config";
    case ErrorCode::kUsage:
      return "invalid_arguments";
  }
  return "internal_error";
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 0;
    case ErrorCode::kLockTimeout:
      return 75;
    case ErrorCode::kUnknownCommand:
    case ErrorCode::kUsage:
      return 2;
    default:
      return 1;
  }
}

}  // namespace fen
