#include "core/ed25519.hpp"

#include <sodium.h>

#include <stdexcept>

namespace ranvier::core {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium failed to initialise");
    }
    return true;
  }();
  (void)ready;
}

bool is_key_version_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_key_version(std::string_view v) {
  if (v.empty()) {
    return false;
  }
  for (char c : v) {
    if (!is_key_version_char(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Ed25519KeyPair ed25519_from_seed(const Ed25519Seed& seed) {
  ensure_sodium();
  Ed25519KeyPair pair;
  pair.seed = seed;
  crypto_sign_ed25519_seed_keypair(pair.public_key.data(), pair.secret_key.data(), seed.data());
  return pair;
}

Ed25519KeyPair ed25519_generate() {
  ensure_sodium();
  Ed25519Seed seed;
  randombytes_buf(seed.data(), seed.size());
  return ed25519_from_seed(seed);
}

Ed25519Signature ed25519_sign(const Ed25519KeyPair& key, std::string_view message) {
  Ed25519Signature sig{};
  crypto_sign_ed25519_detached(sig.data(), nullptr,
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size(), key.secret_key.data());
  return sig;
}

bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message,
                    const Ed25519Signature& signature) {
  ensure_sodium();
  return crypto_sign_ed25519_verify_detached(
             signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
             message.size(), key.data()) == 0;
}

std::optional<std::string_view> ed25519_key_version(std::string_view key_id) {
  constexpr std::string_view prefix = "ed25519:";
  if (!key_id.starts_with(prefix) || !is_key_version(key_id.substr(prefix.size()))) {
    return std::nullopt;
  }
  return key_id.substr(prefix.size());
}

bool is_valid_key_id(std::string_view key_id) {
  const auto colon = key_id.find(':');
  return colon != std::string_view::npos && colon > 0 && is_key_version(key_id.substr(colon + 1));
}

}  // namespace ranvier::core
