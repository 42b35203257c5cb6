#include "app/signing_key_file.hpp"

#include "core/key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ranvier::app {

namespace fs = std::filesystem;

core::SigningKey read_signing_key_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto keys = core::parse_key_file(text.str());
  if (!keys) {
    throw std::runtime_error(file.string() + ": " + std::string(core::to_string(keys.error())));
  }
  return keys->front();
}

void write_signing_key_file(const fs::path& file, const core::SigningKey& key) {
  if (fs::exists(file)) {
    throw std::runtime_error(file.string() + " exists; refusing to replace a signing key");
  }
  const fs::path tmp = file.string() + ".tmp";
  {
    const auto old_mask = ::umask(077);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    ::umask(old_mask);
    out << core::write_synapse_key_file({key});
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, file);
}

core::SigningKey generate_signing_key() {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  std::string version = "a_";
  for (int i = 0; i < 4; ++i) {
    version += alphabet[randombytes_uniform(sizeof alphabet - 1)];
  }
  return *core::make_signing_key(version, core::ed25519_generate().seed);
}

}  // namespace ranvier::app
