#pragma once
// The server's signing key on disk: read at start-up, written once by `ranvier init`.
// The formats themselves (Synapse, Dendrite) are parsed in core/key_file.hpp.

#include "core/signing.hpp"

#include <filesystem>

namespace ranvier::app {

/// Reads the first key of a Synapse-format or Dendrite `matrix_key.pem` key file.
/// Throws std::runtime_error saying what is wrong with it.
core::SigningKey read_signing_key_file(const std::filesystem::path& file);

/// Writes the key in Synapse format with mode 0600, atomically (temporary file + rename).
/// Throws if the file already exists: a server's key must never be replaced by accident.
void write_signing_key_file(const std::filesystem::path& file, const core::SigningKey& key);

/// A fresh key with a random version (`a_` + four letters/digits, like Synapse's).
core::SigningKey generate_signing_key();

}  // namespace ranvier::app
