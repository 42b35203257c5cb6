#pragma once
// Helpers shared by the core unit tests: loading the spec's test vectors and random JSON.

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace ranvier::core::testing {

/// The spec's test vectors (../shared/matrix-spec/test-vectors.json).
inline const nlohmann::json& spec_vectors() {
  static const nlohmann::json vectors = [] {
    std::ifstream in(std::string(RANVIER_SHARED_DIR) + "/matrix-spec/test-vectors.json");
    std::stringstream buf;
    buf << in.rdbuf();
    return nlohmann::json::parse(buf.str());
  }();
  return vectors;
}

/// A random string mixing ASCII, controls, quotes and multi-byte UTF-8.
inline std::string random_string(std::mt19937& rng) {
  static const char* pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                                 "\x7f", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", ":", "m."};
  std::string s;
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    s += pieces[rng() % std::size(pieces)];
  }
  return s;
}

/// A random JSON value (no floats) with integers inside the canonical range.
inline nlohmann::json random_json(std::mt19937& rng, int depth = 0) {
  const int kind = static_cast<int>(rng() % (depth > 3 ? 5 : 7));
  switch (kind) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: {
      const std::int64_t range = (std::int64_t{1} << 53) - 1;
      std::uniform_int_distribution<std::int64_t> dist(-range, range);
      return rng() % 3 == 0 ? dist(rng) : static_cast<std::int64_t>(rng() % 1000) - 500;
    }
    case 3:
    case 4: return random_string(rng);
    case 5: {
      auto arr = nlohmann::json::array();
      const int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) {
        arr.push_back(random_json(rng, depth + 1));
      }
      return arr;
    }
    default: {
      auto obj = nlohmann::json::object();
      const int n = static_cast<int>(rng() % 6);
      for (int i = 0; i < n; ++i) {
        obj[random_string(rng)] = random_json(rng, depth + 1);
      }
      return obj;
    }
  }
}

}  // namespace ranvier::core::testing

#include "core/base64.hpp"
#include "core/signing.hpp"

namespace ranvier::core::testing {

/// The spec's test signing key (`ed25519:1` of server `domain`).
inline SigningKey spec_signing_key() {
  const auto& k = spec_vectors().at("signing_key");
  const auto seed_bytes = *base64_decode(k.at("seed_unpadded_base64").get<std::string>());
  Ed25519Seed seed;
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
  return *make_signing_key("1", seed);
}

/// A lookup that knows exactly one key of one server.
inline VerifyKeyLookup single_key_lookup(std::string server, const SigningKey& key,
                                         std::int64_t valid_until_ts = INT64_MAX) {
  return [server = std::move(server), id = key.key_id, pk = key.pair.public_key, valid_until_ts](
             std::string_view s, std::string_view key_id) -> std::optional<VerifyKey> {
    if (s != server || key_id != id) {
      return std::nullopt;
    }
    return VerifyKey{pk, valid_until_ts};
  };
}

}  // namespace ranvier::core::testing
