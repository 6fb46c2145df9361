// The fen executable: argv in, exit status out. Everything else is in libfen.
#include <iostream>
#include <string>
#include <vector>

#include "cli/run_fen.h"
#include "fen/base/huge_pages.h"

int main(int argc, char** argv) {
  fen::PreferHugePageHeap();  // docs/design/cli.md §7
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = fen::cli::RunFen(args, std::cout, std::cerr);
  std::cout.flush();
  std::cerr.flush();
  return rc;
}
