// Test helper: runs the whole fen CLI in-process (RunFen) with captured stdout/stderr.
// For tests only; single-threaded.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

namespace fen::cli {

struct CliRun {
  int rc;
  std::string out;
  std::string err;
};

inline CliRun Fen(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int rc = RunFen(args, out, err);
  return {rc, out.str(), err.str()};
}

}  // namespace fen::cli
