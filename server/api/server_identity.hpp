#pragma once
// Who this server is: its name and the signing key remote servers know it by.

#include "core/ed25519.hpp"

#include <string>

namespace ranvier::api {

struct ServerIdentity {
  std::string server_name;
  std::string key_id;  ///< "ed25519:<version>"
  core::Ed25519KeyPair signing_key;
};

}  // namespace ranvier::api
