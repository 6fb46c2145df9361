// JsonStringStream: escapes a byte stream into the body of a JSON string literal chunk by
// chunk, exactly as JavaScript's JSON.stringify would (\" \\ \b \f \n \r \t, other controls as
// \u00xx, non-ASCII kept), replacing invalid UTF-8 with U+FFFD as a UTF-8 decoder does. Lets
// the `result` content be built without holding the captured output in memory.
// Single-owner value; not thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fen::models {

class JsonStringStream {
 public:
  // Escaped text for `bytes` (a multi-byte sequence split across calls is carried over).
  std::string Feed(std::string_view bytes);
  // Escaped text for any incomplete trailing sequence (as U+FFFD). Call once at the end.
  std::string Finish();

 private:
  std::string carry_;
};

}  // namespace fen::models
