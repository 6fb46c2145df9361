// Durable file primitives (shared/spec/storage.md §5.2), the one implementation every fen
// component uses for files that must survive a crash: data versions, `latest`, HWMs,
// `.swamp.yaml`, `.gitignore`, definitions, run records (cli.md C-6).
//
// write_durable: create `{dir}/.{uuid}.tmp` with O_EXCL, write, fsync, close, rename over the
// target, fsync the directory. A crash leaves the old content or the new, never a torn file;
// the new content is durable once the call returns OK. On failure the temp file is removed
// (best effort) and the target is untouched. Stateless: safe from any thread as far as `env`
// is; concurrent writers of one target race only on which complete version wins.
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

// write_durable of `{dir}/{name}`; `dir` must exist.
Status WriteFileDurably(Env* env, const std::string& dir, const std::string& name,
                        std::string_view bytes);
// write_durable of `path`, creating missing parent directories durably first.
Status WriteFileDurably(Env* env, const std::string& path, std::string_view bytes);
// mkdir -p `path`, then fsync the parent of every directory actually created.
Status CreateDirsDurably(Env* env, const std::string& path);
// Parent directory of a path ("/a/b" -> "/a", "b" -> ".", "/a" -> "/").
std::string ParentDir(const std::string& path);

}  // namespace fen
