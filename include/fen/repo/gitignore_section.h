// The `.gitignore` managed section `repo init` maintains (shared/spec/cli.md §2.3 step 6),
// byte for byte as swamp writes it. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fen {

inline constexpr const char* kGitignoreBegin = "# BEGIN swamp managed section - DO NOT EDIT";
inline constexpr const char* kGitignoreEnd = "# END swamp managed section";
inline constexpr const char* kGitignoreLegacyHeader = "# Swamp managed defaults";

// The section from the BEGIN line through the END line, without a trailing newline. Tools
// with gitignore entries (only `claude`) add their block before the END line.
std::string ManagedGitignoreSection(const std::vector<std::string>& tools);

struct GitignoreUpdate {
  std::string content;  // the whole new file
  std::string action;   // "created", "updated" or "unchanged"
};

// The new `.gitignore` given the current one (std::nullopt = no file). Rules and the choices
// the spec leaves open (legacy block extent, empty files): docs/design/repo.md §3.
GitignoreUpdate ApplyManagedGitignore(const std::optional<std::string>& existing,
                                      const std::vector<std::string>& tools);

}  // namespace fen
