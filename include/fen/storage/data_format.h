// The swamp on-disk data format: `metadata.yaml` (storage.md §3.4, §4), the `latest` marker
// (§3.5), version-directory names (§3.2), model-type normalisation (§3.3) and the name /
// path-safety rules (§3.9, §4.1) with swamp's exact messages.
//
// Pure functions (no I/O); thread-safe. Every validation failure is a Status whose message is
// the exact spec text and whose code is the one of cli.md §9.3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"
#include "fen/storage/data_record.h"

namespace fen::storage {

// storage.md §3.3: "AWS::EC2::VPC" -> "aws/ec2/vpc". Errors: "Model type cannot be empty",
// "Model type normalization resulted in empty string" (validation_failed).
Result<std::string> NormalizeModelType(std::string_view raw);

// storage.md §4.1 name rule (non-empty; no "..", "/", "\", NUL; fen also rejects "." with the
// same message, §8 #8 / docs/design/storage.md §2). Code validation_failed.
Status ValidateDataName(std::string_view name);
// The write-path reserved-name rule: `latest` in any case is rejected.
Status ValidateDataNameForWrite(std::string_view name);
// A model id must be a single path segment that stays strictly inside the type directory
// (storage.md §3.9). Code path_traversal.
Status ValidateModelIdSegment(std::string_view model_id);

// storage.md §4.2. Returns the normalised lifetime (zero durations -> "workflow").
Result<std::string> NormalizeLifetime(std::string_view lifetime);
// storage.md §4.3: a positive integer or a positive duration.
Status ValidateGcPolicy(const GcPolicy& policy);
// Duration grammar ^\d+(mo|y|h|m|d|w)$ -> milliseconds (nullopt if it does not match).
std::optional<int64_t> ParseDurationMillis(std::string_view text);

// Version directory names. Reading uses the strict form ^[1-9][0-9]*$ (fen's choice for the
// open item storage.md §8 #8, docs/design/storage.md §2); allocation uses swamp's lenient
// prefix parse so fen never collides with anything swamp counts as a version.
std::optional<int64_t> ParseVersionStrict(std::string_view name);
std::optional<int64_t> ParseVersionLenient(std::string_view name);

// The `latest` marker text (§3.5 step 1): trimmed, lenient integer parse.
std::optional<int64_t> ParseMarkerText(std::string_view text);

// Parses and validates a metadata.yaml document (§3.4, §4). Failures are kCorruptData with the
// reason as message (the caller adds the path). Tries TryParseMetadataYamlFast
// (metadata_fast_reader.h) first and falls back to ParseMetadataYamlWithYamlCpp; the result is
// the same either way.
Result<DataRecord> ParseMetadataYaml(std::string_view text);
// Reads and parses the metadata.yaml at `path` (the one reader both stores use): a missing
// file (or a missing parent) is "no record"; anything else unreadable or invalid is
// corrupt_data `Corrupt data {path}: {reason}`.
Result<std::optional<DataRecord>> ReadMetadataRecord(Env* env, const std::string& path);
// The same rule for a read already made (`text`: the bytes, or the read's error).
Result<std::optional<DataRecord>> MetadataRecordFromRead(const std::string& path,
                                                         const Result<std::string>& text);
// The reference reader (yaml-cpp), always used for documents the fast reader declines.
Result<DataRecord> ParseMetadataYamlWithYamlCpp(std::string_view text);
// Serialises a record exactly as swamp does: swamp's key order, single-quote style, quoted
// createdAt, absent optional fields omitted.
std::string MetadataToYaml(const DataRecord& record);

// The write-side validation of a record: owner type, contentType, tags.type, lifetime (returned
// normalised in *normalized_lifetime), gc policy, id. Code validation_failed.
Status ValidateRecordForWrite(const DataRecord& record, std::string* normalized_lifetime);

}  // namespace fen::storage
