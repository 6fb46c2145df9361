// SHA-256 (OpenSSL libcrypto) with lower-case hex output, as swamp's `checksum` and the
// definition hash use. Sha256 is single-owner (not thread-safe); Sha256Hex is pure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace fen {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  std::string HexDigest();  // finalises; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);

}  // namespace fen
