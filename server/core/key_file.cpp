#include "core/key_file.hpp"

#include <algorithm>

#include "core/base64.hpp"

namespace ranvier::core {
namespace {

constexpr std::string_view pem_begin = "-----BEGIN MATRIX PRIVATE KEY-----";
constexpr std::string_view pem_end = "-----END MATRIX PRIVATE KEY-----";

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls `fn(line)` for each line; stops early (returning false) when fn does.
template <class Fn>
bool for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    if (!fn(trim(line))) {
      return false;
    }
    if (nl == std::string_view::npos) {
      break;
    }
    text.remove_prefix(nl + 1);
  }
  return true;
}

Expected<SigningKey, KeyFileError> key_from(std::string_view version, std::string_view seed_b64) {
  const auto seed_bytes = base64_decode(seed_b64);
  if (!seed_bytes) {
    return fail(KeyFileError::bad_base64);
  }
  if (seed_bytes->size() != Ed25519Seed{}.size()) {
    return fail(KeyFileError::bad_seed_length);
  }
  Ed25519Seed seed;
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  auto key = make_signing_key(version, seed);
  if (!key) {
    return fail(KeyFileError::bad_key_id);
  }
  return std::move(*key);
}

}  // namespace

std::string_view to_string(KeyFileError e) {
  switch (e) {
    case KeyFileError::empty: return "no signing key in file";
    case KeyFileError::malformed_line: return "expected '<algorithm> <version> <base64 seed>'";
    case KeyFileError::unknown_algorithm: return "only ed25519 keys are supported";
    case KeyFileError::bad_key_id: return "invalid or missing key ID";
    case KeyFileError::bad_base64: return "seed is not valid base64";
    case KeyFileError::bad_seed_length: return "seed must be 32 bytes";
    case KeyFileError::malformed_pem: return "malformed PEM block";
  }
  return "unknown key file error";
}

Expected<std::vector<SigningKey>, KeyFileError> parse_synapse_key_file(std::string_view text) {
  std::vector<SigningKey> keys;
  std::optional<KeyFileError> error;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty()) {
      return true;
    }
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
      error = KeyFileError::malformed_line;
      return false;
    }
    if (line.substr(0, sp1) != "ed25519") {
      error = KeyFileError::unknown_algorithm;
      return false;
    }
    auto key = key_from(line.substr(sp1 + 1, sp2 - sp1 - 1), line.substr(sp2 + 1));
    if (!key) {
      error = key.error();
      return false;
    }
    keys.push_back(std::move(*key));
    return true;
  });
  if (error) {
    return fail(*error);
  }
  if (keys.empty()) {
    return fail(KeyFileError::empty);
  }
  return keys;
}

std::string write_synapse_key_file(const std::vector<SigningKey>& keys) {
  std::string out;
  for (const auto& key : keys) {
    out += "ed25519 ";
    out += *ed25519_key_version(key.key_id);
    out += ' ';
    out += base64_encode(as_bytes(key.pair.seed));
    out += '\n';
  }
  return out;
}

Expected<std::vector<SigningKey>, KeyFileError> parse_dendrite_key_file(std::string_view text) {
  std::vector<SigningKey> keys;
  std::optional<KeyFileError> error;
  bool inside = false;
  std::string key_id;
  std::string body;
  for_each_line(text, [&](std::string_view line) {
    if (!inside) {
      inside = line == pem_begin;
      key_id.clear();
      body.clear();
      return true;
    }
    if (line == pem_end) {
      inside = false;
      constexpr std::string_view prefix = "ed25519:";
      if (!key_id.starts_with(prefix)) {
        error = key_id.empty() ? KeyFileError::bad_key_id : KeyFileError::unknown_algorithm;
        return false;
      }
      auto key = key_from(std::string_view(key_id).substr(prefix.size()), body);
      if (!key) {
        error = key.error();
        return false;
      }
      keys.push_back(std::move(*key));
      return true;
    }
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      // A PEM header; only Key-ID matters.
      if (trim(line.substr(0, colon)) == "Key-ID") {
        key_id = trim(line.substr(colon + 1));
      }
      return true;
    }
    body += line;
    return true;
  });
  if (error) {
    return fail(*error);
  }
  if (inside) {
    return fail(KeyFileError::malformed_pem);
  }
  if (keys.empty()) {
    return fail(KeyFileError::empty);
  }
  return keys;
}

std::string write_dendrite_key_file(const SigningKey& key) {
  // Go's encoding/pem writes padded base64 and a blank line after the headers; Dendrite's reader
  // expects that layout, so it is reproduced exactly.
  std::string body = base64_encode(as_bytes(key.pair.seed));
  while (body.size() % 4 != 0) {
    body += '=';
  }
  std::string out;
  out += pem_begin;
  out += "\nKey-ID: ";
  out += key.key_id;
  out += "\n\n";
  out += body;
  out += '\n';
  out += pem_end;
  out += '\n';
  return out;
}

Expected<std::vector<SigningKey>, KeyFileError> parse_key_file(std::string_view text) {
  if (text.find(pem_begin) != std::string_view::npos) {
    return parse_dendrite_key_file(text);
  }
  return parse_synapse_key_file(text);
}

}  // namespace ranvier::core
