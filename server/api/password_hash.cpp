#include "api/password_hash.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace ranvier::api {

std::string hash_password(std::string_view password, const PasswordCost& cost) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  char out[crypto_pwhash_STRBYTES];
  const auto memory = std::max<std::uint64_t>(cost.memory_kib * 1024, crypto_pwhash_MEMLIMIT_MIN);
  const auto ops = std::max<std::uint64_t>(cost.iterations, crypto_pwhash_OPSLIMIT_MIN);
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, memory, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

bool verify_password(std::string_view password, const std::string& stored_hash) {
  if (sodium_init() < 0) {
    return false;
  }
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace ranvier::api
