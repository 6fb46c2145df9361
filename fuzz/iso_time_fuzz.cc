// Fuzz target: ParseIsoMillis never crashes, and what it accepts re-formats to a string that
// parses to the same instant (createdAt, startedAt and acquiredAt come from outside files).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fen/base/clock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto t = fen::ParseIsoMillis(input);
  if (!t) return 0;
  std::string text = fen::FormatIsoMillis(*t);
  auto again = fen::ParseIsoMillis(text);
  if (!again || *again != *t) std::abort();
  return 0;
}
