#pragma once
// Who this server is: its name and the signing key remote servers know it by.

#include "core/signing.hpp"

#include <string>

namespace ranvier::api {

struct ServerIdentity {
  std::string server_name;
  core::SigningKey signing_key;
};

}  // namespace ranvier::api
