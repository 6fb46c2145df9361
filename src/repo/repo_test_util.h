// Helpers for the repo layer's tests: real temporary directories and files (no mocks).
// Test-only; single-threaded.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fen::repo_test {

// A fresh directory under $TMPDIR (real path), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fen-repo-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    path_ = std::filesystem::canonical(p).string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline bool IsDir(const std::string& path) { return std::filesystem::is_directory(path); }
inline bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::symlink_status(path, ec).type() !=
             std::filesystem::file_type::not_found &&
         !ec;
}

// A copy of the fixture repo, writable (PREAMBLE: fixture files are read-only).
inline std::string CopyFixtureRepo(const TempDir& dir) {
  std::string dst = dir / "swamp-repo";
  std::string cmd = "cp -r '" + std::string(FEN_FIXTURES_DIR) + "/swamp-repo' '" + dst +
                    "' && chmod -R u+w '" + dst + "'";
  if (std::system(cmd.c_str()) != 0) return "";
  return dst;
}

// Sets (or unsets, for nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
      had_ = true;
    }
    if (value == nullptr)
      ::unsetenv(name);
    else
      ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_.c_str(), old_.c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace fen::repo_test
