// Stats several entries below one directory (the catalog's stamp checks,
// docs/design/catalog.md §3). Element i is what env->Stat (follow) or env->Lstat (!follow) of
// `dir + "/" + rels[i].path` returns, as far as type, size, dev, ino, mode, nlink, mtime and
// ctime go.
//
// For Env::Default() it opens `dir` once (O_PATH) and uses statx relative to it with the
// fields above only, so each lookup walks just the relative path; any other Env (fault
// injection, test doubles) is called path by path, so wrappers keep seeing every access.
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "fen/env/env.h"

namespace fen {

struct StatRequest {
  std::string path;  // relative to the directory
  bool follow = true;
};

std::vector<Result<FileInfo>> StatMany(Env* env, const std::string& dir,
                                       const std::vector<StatRequest>& rels);

}  // namespace fen
