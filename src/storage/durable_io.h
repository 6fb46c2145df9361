// Durable file primitives of storage.md §5.2 on top of Env. Thread-compatible (no state).
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::storage {

// write_durable: `{dir}/.{uuid}.tmp` (O_EXCL), write, fsync, rename onto `{dir}/{name}`,
// fsync `dir`. The temp file is removed on failure (best effort).
Status WriteDurable(Env* env, const std::string& dir, const std::string& name,
                    std::string_view bytes);

// mkdir -p `path`, then fsync the parent of every directory actually created.
Status CreateDirsDurable(Env* env, const std::string& path);

// Parent directory of an absolute path ("/a/b" -> "/a").
std::string ParentDir(const std::string& path);

}  // namespace fen::storage
