#include "storage/tokens.hpp"

#include "storage/errors.hpp"

#include <openssl/rand.h>

#include <array>

namespace ranvier::storage {

std::string generate_token(std::string_view prefix) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw StorageError(ErrorKind::misuse, "the system random generator failed");
  }
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token(prefix);
  // 6 bits per character; 32 bytes give 43 characters (the last one carries 4 bits).
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      token.push_back(alphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) {
    token.push_back(alphabet[(buffer << (6 - bits)) & 0x3f]);
  }
  return token;
}

std::string generate_access_token() {
  return generate_token("rvt_");
}

}  // namespace ranvier::storage
