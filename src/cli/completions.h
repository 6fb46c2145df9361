// Shell completion scripts generated from the CLI11 command tree the parser uses, so they
// cannot drift from the real commands and options (docs/design/cli.md §6).
// Pure functions of the tree; single-threaded like the rest of the CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace fen::cli {

// One command of the tree as completion sees it.
struct CompletionOption {
  std::vector<std::string> names;  // "--force", "-f"
  bool takes_value = false;
  std::string description;
};
struct CompletionNode {
  std::string path;                                              // "fen repo init"
  std::vector<std::pair<std::string, std::string>> subcommands;  // name (and aliases), description
  std::vector<CompletionOption> options;  // its own options, then its ancestors' (fallthrough)
};

// Every command in the tree, root first (depth-first).
std::vector<CompletionNode> CollectCompletionNodes(CLI::App* root);

// The script for "bash", "zsh" or "fish"; "" for any other shell.
std::string CompletionScript(CLI::App* root, const std::string& shell);

}  // namespace fen::cli
