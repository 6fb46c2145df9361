// Reads several small files below one directory, each with the stamp of the file read (the
// catalog's re-reads, docs/design/catalog.md §3). Element i is what env->Stat and then
// env->ReadFile of `dir + "/" + rels[i]` return, with one difference that makes it usable for
// stamps: `info` describes the very inode whose bytes were read (fstat after open, before the
// read), so a change racing with the read shows up as a stamp difference next time.
//
// For Env::Default() it opens `dir` once (O_PATH) and each file with openat relative to it (a
// lookup walks two or three components instead of ten), fstats it, and reads `info.size`
// bytes in one read for a regular file (no second read to find the end; a file appended to
// meanwhile is read as of the fstat). A non-regular file (a directory, a FIFO someone planted)
// is handed to env->ReadFile as before, so its error is the usual one. Any other Env (fault
// injection, test doubles) is called path by path: Stat, then ReadFile, so wrappers keep
// seeing every access. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "fen/env/env.h"

namespace fen {

struct FileRead {
  FileInfo info;  // only with `stamp`
  std::string bytes;
};

// `stamp` = false skips the fstat when the caller has the stamp already (the catalog's `latest`
// markers, stamped by StatMany): the file is then read until a read comes back short, which for
// a regular file is its end; `info` stays empty.
std::vector<Result<FileRead>> ReadMany(Env* env, const std::string& dir,
                                       const std::vector<std::string>& rels, bool stamp = true);

}  // namespace fen
