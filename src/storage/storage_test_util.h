// Test helpers for storage tests: temp directories and a fixture copy. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fen::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fen-storage-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    path_ = p == nullptr ? std::string() : std::string(p);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
}

// Copies shared/fixtures/swamp-repo into `dir`/repo (writable) and returns the repo path.
inline std::string CopyFixtureRepo(const std::string& dir) {
  std::string repo = dir + "/repo";
  std::string cmd = "cp -r '" + std::string(FEN_FIXTURES_DIR) + "/swamp-repo' '" + repo +
                    "' && chmod -R u+w '" + repo + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return repo;
}

}  // namespace fen::storage::testing
