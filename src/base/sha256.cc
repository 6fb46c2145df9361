// SHA-256 through libcrypto's direct SHA256_* functions, not EVP: the first EVP digest fetch
// initialises OpenSSL's provider and config machinery, ~5 million instructions, which was a
// fifth of a whole `fen model method run` (docs/performance.md, "Model runs"). The direct
// functions are deprecated in OpenSSL 3 but remain its own implementation of the digest.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "fen/base/sha256.h"

#include <openssl/sha.h>

namespace fen {

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { SHA256_Init(&impl_->ctx); }

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view data) { SHA256_Update(&impl_->ctx, data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &impl_->ctx);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : md) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

}  // namespace fen
