#pragma once
// The server's signing key on disk: read at start-up, written once by `ranvier init`.

#include "core/ed25519.hpp"

#include <filesystem>
#include <string>

namespace ranvier::app {

struct SigningKeyFile {
  std::string key_id;  ///< "ed25519:<version>"
  core::Ed25519KeyPair key_pair;
};

/// Reads a Synapse-format (`ed25519 <version> <seed>`) or Dendrite `matrix_key.pem` key file.
/// Throws std::runtime_error saying what is wrong with it.
SigningKeyFile read_signing_key_file(const std::filesystem::path& file);

/// Writes the key in Synapse format with mode 0600, atomically (temporary file + rename).
/// Throws if the file already exists: a server's key must never be replaced by accident.
void write_signing_key_file(const std::filesystem::path& file, const SigningKeyFile& key);

/// A fresh key with a random version (`a_` + four letters/digits, like Synapse's).
SigningKeyFile generate_signing_key();

}  // namespace ranvier::app
