#include "api/admin/registration_token_rules.hpp"

#include "storage/tokens.hpp"

#include <cctype>

namespace ranvier::api::admin {

bool is_valid_registration_token(std::string_view token) {
  if (token.empty() || token.size() > 64) {
    return false;
  }
  for (unsigned char c : token) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '~' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string random_registration_token(std::size_t length) {
  // generate_token's URL-safe base64 uses only characters the spec allows.
  std::string token;
  while (token.size() < length) {
    token += storage::generate_token("");
  }
  token.resize(length);
  return token;
}

}  // namespace ranvier::api::admin
