// See include/fen/repo/gitignore_section.h and docs/design/repo.md §3.
#include "fen/repo/gitignore_section.h"

#include <algorithm>

namespace fen {
namespace {

// Start of the line containing position `pos`.
size_t LineStart(const std::string& s, size_t pos) {
  size_t nl = pos == 0 ? std::string::npos : s.rfind('\n', pos - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

// Position just after the line containing `pos` (after its '\n', or the end of the text).
size_t LineEnd(const std::string& s, size_t pos) {
  size_t nl = s.find('\n', pos);
  return nl == std::string::npos ? s.size() : nl + 1;
}

}  // namespace

std::string ManagedGitignoreSection(const std::vector<std::string>& tools) {
  std::string s = std::string(kGitignoreBegin) +
                  "\n"
                  "\n"
                  "# Runtime data (not needed in version control)\n"
                  ".swamp/\n"
                  "\n"
                  "# Local extension sources (developer-specific, not shared)\n"
                  ".swamp-sources.yaml\n";
  if (std::find(tools.begin(), tools.end(), "claude") != tools.end()) {
    s += "\n"
         "# Claude Code configuration (managed by swamp)\n"
         ".claude/worktrees/\n"
         ".claude/settings.local.json\n"
         ".claude/scheduled_tasks.lock\n"
         ".claude/scheduled_tasks.json\n";
  }
  return s + kGitignoreEnd;
}

GitignoreUpdate ApplyManagedGitignore(const std::optional<std::string>& existing,
                                      const std::vector<std::string>& tools) {
  const std::string section = ManagedGitignoreSection(tools) + "\n";
  if (!existing.has_value()) return {section, "created"};
  const std::string& old = *existing;
  auto changed = [&](std::string content) {
    std::string action = content == old ? "unchanged" : "updated";
    return GitignoreUpdate{std::move(content), action};
  };
  if (size_t begin = old.find(kGitignoreBegin); begin != std::string::npos) {
    // Replace BEGIN..END in place; a missing END line means the section runs to the end.
    size_t start = LineStart(old, begin);
    size_t end_marker = old.find(kGitignoreEnd, begin);
    size_t stop = end_marker == std::string::npos ? old.size() : LineEnd(old, end_marker);
    return changed(old.substr(0, start) + section + old.substr(stop));
  }
  if (size_t legacy = old.find(kGitignoreLegacyHeader); legacy != std::string::npos) {
    // The legacy block runs from its header line to the first blank line (or the end).
    size_t start = LineStart(old, legacy);
    size_t stop = old.find("\n\n", legacy);
    stop = stop == std::string::npos ? old.size() : stop + 2;
    std::string rest = old.substr(stop);
    std::string content = old.substr(0, start) + section;
    if (!rest.empty()) content += "\n" + rest;
    return {content, "updated"};
  }
  if (old.empty()) return {section, "updated"};
  std::string content = old;
  if (content.back() != '\n') content += '\n';
  if (content.size() < 2 || content.compare(content.size() - 2, 2, "\n\n") != 0) content += '\n';
  return {content + section, "updated"};
}

}  // namespace fen
