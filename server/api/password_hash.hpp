#pragma once
// Password storage: Argon2id via libsodium's crypto_pwhash_str (salt and parameters are kept
// inside the stored string, so the cost can change without invalidating old hashes).

#include <cstdint>
#include <string>
#include <string_view>

namespace ranvier::api {

struct PasswordCost {
  std::uint64_t memory_kib = 19 * 1024;  ///< OWASP's Argon2id minimum: 19 MiB, 2 passes
  std::uint64_t iterations = 2;
};

/// Hashes a password; throws std::runtime_error if libsodium cannot (out of memory).
std::string hash_password(std::string_view password, const PasswordCost& cost);

/// Checks a password against a stored hash in constant time.
bool verify_password(std::string_view password, const std::string& stored_hash);

}  // namespace ranvier::api
