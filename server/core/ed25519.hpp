#pragma once
// Ed25519 signatures via libsodium, and Matrix signing key identifiers (`ed25519:<version>`).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ranvier::core {

using Ed25519Seed = std::array<std::uint8_t, 32>;
using Ed25519PublicKey = std::array<std::uint8_t, 32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;

/// A key pair derived from a 32-byte seed (the form Matrix servers store).
struct Ed25519KeyPair {
  Ed25519Seed seed{};
  Ed25519PublicKey public_key{};
  /// libsodium's 64-byte secret key (seed followed by the public key).
  std::array<std::uint8_t, 64> secret_key{};
};

/// Derives the key pair for a seed.
Ed25519KeyPair ed25519_from_seed(const Ed25519Seed& seed);
/// Generates a fresh key pair from libsodium's CSPRNG.
Ed25519KeyPair ed25519_generate();

/// Signs `message` (detached signature).
Ed25519Signature ed25519_sign(const Ed25519KeyPair& key, std::string_view message);
/// Verifies a detached signature.
bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message,
                    const Ed25519Signature& signature);

/// The version part of a key ID `ed25519:<version>` (version is `[a-zA-Z0-9_]+`), or nullopt
/// if the ID is not a well-formed ed25519 key ID.
std::optional<std::string_view> ed25519_key_version(std::string_view key_id);

/// True if `key_id` is `<algorithm>:<version>` with a non-empty algorithm and a
/// `[a-zA-Z0-9_]+` version (any algorithm; used to skip unknown ones gracefully).
bool is_valid_key_id(std::string_view key_id);

/// Bytes of a fixed-size array as a string_view (for base64 encoding).
template <std::size_t N>
std::string_view as_bytes(const std::array<std::uint8_t, N>& a) {
  return {reinterpret_cast<const char*>(a.data()), N};
}

}  // namespace ranvier::core
