#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ranvier::core {
namespace {

// Fetching the algorithm once avoids OpenSSL 3's per-call implicit fetch, which costs more than
// hashing a typical event.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) {
      throw std::runtime_error("OpenSSL has no SHA256 implementation");
    }
    return fetched;
  }();
  return md;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, sha256_md(), nullptr) != 1 ||
      len != out.size()) {
    throw std::runtime_error("SHA256 digest failed");
  }
  return out;
}

}  // namespace ranvier::core
