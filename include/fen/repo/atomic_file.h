// WriteFileAtomically: replace a small non-data file (`.swamp.yaml`, `.gitignore`) so that a
// crash leaves either the old or the new content, and the new content is durable once the
// call returns OK (shared/spec/cli.md C-6, storage.md §5.2 write_durable).
//
// Protocol: create `.<uuid>.tmp` in the target's directory (O_EXCL), write, fsync, close,
// rename over the target, fsync the directory. On failure the temp file is removed and the
// target is untouched. Thread-safe as far as `env` is; concurrent writers of one target
// race only on which complete version wins.
#pragma once

#include <string>
#include <string_view>

#include "fen/base/status.h"
#include "fen/env/env.h"

namespace fen {

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view content);

}  // namespace fen
