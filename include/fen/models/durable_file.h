// Durable whole-file writes for the model layer (definitions, evaluated copies, run records):
// temp file in the same directory, write, fsync, rename over the target, fsync the directory
// (shared/spec/storage.md §5.2 write_durable). Missing parent directories are created and their
// parents fsynced. Safe from any thread; concurrent writers of one path: last rename wins.
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen::models {

Status WriteFileDurably(Env* env, const std::string& path, std::string_view content);
// mkdir -p with fsync of every parent of a created directory.
Status CreateDirsDurably(Env* env, const std::string& dir);
std::string ParentDir(const std::string& path);

}  // namespace fen::models
