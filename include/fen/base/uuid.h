// UUIDs: random v4 ids from the kernel CSPRNG (getrandom), and the validation rule swamp
// applies to data ids (8-4-4-4-12 hex, version nibble 1-8, RFC variant, nil/max accepted).
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fen {

std::string NewUuidV4();                    // lower-case, canonical form
bool IsValidUuid(std::string_view text);    // swamp's entity rule (storage.md §4.1)
bool LooksLikeUuid(std::string_view text);  // lower-case hex 8-4-4-4-12, any version

}  // namespace fen
