// Fuzz target: any argv (NUL-separated input) is either accepted by the parser or rejected with
// a usage error (exit 1/2); the CLI never crashes. Handlers are not run (RunOptions::dispatch).
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\0') {
      args.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  if (args.size() > 32) return 0;
  std::ostringstream out, err;
  fen::cli::RunOptions options;
  options.dispatch = false;
  int rc = fen::cli::RunFen(args, out, err, fen::Env::Default(), options);
  if (rc != 0 && rc != 1 && rc != 2) std::abort();
  if (rc != 0 && err.str().empty()) std::abort();  // every failure says why
  return 0;
}
