#include "app/signing_key_file.hpp"

#include "core/base64.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ranvier::app {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return "";
  }
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

SigningKeyFile from_seed(const std::string& key_id, const std::string& seed_b64, const fs::path& file) {
  if (!core::ed25519_key_version(key_id)) {
    throw std::runtime_error(file.string() + ": '" + key_id + "' is not an ed25519 key ID");
  }
  auto seed = core::base64_decode(seed_b64);
  if (!seed || seed->size() != 32) {
    throw std::runtime_error(file.string() + ": the key is not the base64 of a 32-byte ed25519 seed");
  }
  core::Ed25519Seed bytes{};
  std::copy(seed->begin(), seed->end(), reinterpret_cast<char*>(bytes.data()));
  return SigningKeyFile{key_id, core::ed25519_from_seed(bytes)};
}

/// Dendrite's matrix_key.pem: a `MATRIX PRIVATE KEY` PEM block with a `Key-ID` header.
SigningKeyFile parse_pem(const std::string& text, const fs::path& file) {
  std::istringstream in(text);
  std::string line;
  std::string key_id;
  std::string body;
  bool inside = false;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line == "-----BEGIN MATRIX PRIVATE KEY-----") {
      inside = true;
    } else if (line == "-----END MATRIX PRIVATE KEY-----") {
      break;
    } else if (inside && line.starts_with("Key-ID:")) {
      key_id = trim(line.substr(7));
    } else if (inside && line.find(':') == std::string::npos) {
      body += line;
    }
  }
  if (key_id.empty()) {
    throw std::runtime_error(file.string() + ": no Key-ID header in the MATRIX PRIVATE KEY block");
  }
  return from_seed(key_id, body, file);
}

}  // namespace

SigningKeyFile read_signing_key_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + file.string());
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find("-----BEGIN MATRIX PRIVATE KEY-----") != std::string::npos) {
    return parse_pem(text, file);
  }
  // Synapse: one line per key, `<algorithm> <version> <seed>`; the first ed25519 one signs.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string algorithm;
    std::string version;
    std::string seed;
    if (!(fields >> algorithm)) {
      continue;
    }
    if (algorithm != "ed25519" || !(fields >> version >> seed)) {
      throw std::runtime_error(file.string() + ": expected `ed25519 <key version> <base64 seed>`");
    }
    return from_seed("ed25519:" + version, seed, file);
  }
  throw std::runtime_error(file.string() + " holds no signing key");
}

void write_signing_key_file(const fs::path& file, const SigningKeyFile& key) {
  if (fs::exists(file)) {
    throw std::runtime_error(file.string() + " exists; refusing to replace a signing key");
  }
  const auto version = core::ed25519_key_version(key.key_id);
  if (!version) {
    throw std::runtime_error("'" + key.key_id + "' is not an ed25519 key ID");
  }
  const fs::path tmp = file.string() + ".tmp";
  {
    const auto old_mask = ::umask(077);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    ::umask(old_mask);
    out << "ed25519 " << *version << " " << core::base64_encode(core::as_bytes(key.key_pair.seed)) << "\n";
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, file);
}

SigningKeyFile generate_signing_key() {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  std::string version = "a_";
  for (int i = 0; i < 4; ++i) {
    version += alphabet[randombytes_uniform(sizeof alphabet - 1)];
  }
  return SigningKeyFile{"ed25519:" + version, core::ed25519_generate()};
}

}  // namespace ranvier::app
