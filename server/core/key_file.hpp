#pragma once
// Signing-key file formats, so keys can move between Ranvier, Synapse and Dendrite:
// - Synapse `signing.key`: lines `ed25519 <version> <unpadded base64 seed>`.
// - Dendrite `matrix_key.pem`: a PEM block `MATRIX PRIVATE KEY` with header
//   `Key-ID: ed25519:<version>` whose body is the base64 of the 32-byte seed.
// Pure text in, text out; reading and writing the file is the caller's job.

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/signing.hpp"

namespace ranvier::core {

/// Why a key file was rejected.
enum class KeyFileError {
  empty,             ///< no key found in the text
  malformed_line,    ///< a Synapse line without three space-separated fields
  unknown_algorithm, ///< an algorithm other than ed25519
  bad_key_id,        ///< key version outside `[a-zA-Z0-9_]+` (or Key-ID header missing)
  bad_base64,        ///< the seed is not base64
  bad_seed_length,   ///< the seed is not 32 bytes
  malformed_pem,     ///< BEGIN without END, or a body that is not base64 text
};

/// Short English description of an error.
std::string_view to_string(KeyFileError e);

/// Parses a Synapse signing key file (one or more keys; blank lines ignored).
Expected<std::vector<SigningKey>, KeyFileError> parse_synapse_key_file(std::string_view text);
/// Writes keys in Synapse's format, one line each.
std::string write_synapse_key_file(const std::vector<SigningKey>& keys);

/// Parses a Dendrite PEM key file; every `MATRIX PRIVATE KEY` block is returned, in order.
Expected<std::vector<SigningKey>, KeyFileError> parse_dendrite_key_file(std::string_view text);
/// Writes one key as a Dendrite PEM block.
std::string write_dendrite_key_file(const SigningKey& key);

/// Parses either format, telling them apart by the PEM armour.
Expected<std::vector<SigningKey>, KeyFileError> parse_key_file(std::string_view text);

}  // namespace ranvier::core
