// ProbeDatastore: the health report behind `fen datastore status` (docs/design/repo.md §5).
//
// Checks that the datastore root exists, is a directory and is writable (access W_OK), then
// measures the latency of a small probe: create `.fen-probe-<uuid>.tmp` in the root, write
// a few bytes, close, unlink (no fsync). The probe file is always removed. Never fails:
// problems are reported in the result. Thread-safe as far as `env` is.
#pragma once

#include <optional>
#include <string>

#include "fen/env/env.h"

namespace fen {

struct DatastoreHealth {
  bool exists = false;
  bool is_directory = false;
  bool writable = false;
  std::optional<double> latency_ms;  // set when the probe ran and succeeded
  bool healthy = false;              // all of the above
  std::string error;                 // why it is unhealthy ("" when healthy)
};

DatastoreHealth ProbeDatastore(Env* env, const std::string& root);

}  // namespace fen
