#pragma once
// SHA-256 via OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <string_view>

namespace ranvier::core {

/// A SHA-256 digest.
using Sha256Digest = std::array<std::uint8_t, 32>;

/// SHA-256 of `data`.
Sha256Digest sha256(std::string_view data);

/// The digest's bytes as a string_view (for base64 encoding).
inline std::string_view as_bytes(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace ranvier::core
