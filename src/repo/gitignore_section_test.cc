#include "fen/repo/gitignore_section.h"

#include <gtest/gtest.h>

#include "repo/repo_test_util.h"

namespace fen {
namespace {

const std::string& FixtureGitignore() {
  static const std::string text =
      repo_test::ReadText(std::string(FEN_FIXTURES_DIR) + "/swamp-repo/.gitignore");
  return text;
}

TEST(GitignoreSectionTest, CreatedMatchesFixtureByteForByte) {
  GitignoreUpdate u = ApplyManagedGitignore(std::nullopt, {});
  EXPECT_EQ(u.action, "created");
  EXPECT_EQ(u.content, FixtureGitignore());
}

TEST(GitignoreSectionTest, ClaudeBlockBeforeEndLine) {
  std::string s = ManagedGitignoreSection({"cursor", "claude"});
  EXPECT_EQ(s,
            "# BEGIN swamp managed section - DO NOT EDIT\n"
            "\n"
            "# Runtime data (not needed in version control)\n"
            ".swamp/\n"
            "\n"
            "# Local extension sources (developer-specific, not shared)\n"
            ".swamp-sources.yaml\n"
            "\n"
            "# Claude Code configuration (managed by swamp)\n"
            ".claude/worktrees/\n"
            ".claude/settings.local.json\n"
            ".claude/scheduled_tasks.lock\n"
            ".claude/scheduled_tasks.json\n"
            "# END swamp managed section");
  EXPECT_EQ(ManagedGitignoreSection({"cursor"}) + "\n", FixtureGitignore());
}

TEST(GitignoreSectionTest, ExistingSectionReplacedInPlace) {
  const std::string before = "node_modules/\n\n";
  const std::string after = "\n# mine\n*.log\n";
  std::string file = before + FixtureGitignore() + after;
  GitignoreUpdate same = ApplyManagedGitignore(file, {});
  EXPECT_EQ(same.action, "unchanged");
  EXPECT_EQ(same.content, file);

  GitignoreUpdate claude = ApplyManagedGitignore(file, {"claude"});
  EXPECT_EQ(claude.action, "updated");
  EXPECT_EQ(claude.content, before + ManagedGitignoreSection({"claude"}) + "\n" + after);
  // And back again.
  EXPECT_EQ(ApplyManagedGitignore(claude.content, {}).content, file);
}

TEST(GitignoreSectionTest, LegacyBlockIsMigrated) {
  std::string file = "# Swamp managed defaults\n.swamp/\n\ndist/\n";
  GitignoreUpdate u = ApplyManagedGitignore(file, {});
  EXPECT_EQ(u.action, "updated");
  EXPECT_EQ(u.content, FixtureGitignore() + "\ndist/\n");
}

TEST(GitignoreSectionTest, OtherFilesGetSectionAppendedAfterOneBlankLine) {
  EXPECT_EQ(ApplyManagedGitignore(std::string("a\n"), {}).content, "a\n\n" + FixtureGitignore());
  EXPECT_EQ(ApplyManagedGitignore(std::string("a"), {}).content, "a\n\n" + FixtureGitignore());
  EXPECT_EQ(ApplyManagedGitignore(std::string("a\n\n"), {}).content, "a\n\n" + FixtureGitignore());
  GitignoreUpdate empty = ApplyManagedGitignore(std::string(), {});
  EXPECT_EQ(empty.action, "updated");
  EXPECT_EQ(empty.content, FixtureGitignore());
}

}  // namespace
}  // namespace fen
