#pragma once
// Rules for registration tokens shared by the admin API and `ranvier registration-token`.

#include <cstddef>
#include <string>
#include <string_view>

namespace ranvier::api::admin {

/// The spec limits tokens to 1 to 64 characters of [A-Za-z0-9._~-].
bool is_valid_registration_token(std::string_view token);

/// A random valid token of `length` characters (1 to 64).
std::string random_registration_token(std::size_t length);

}  // namespace ranvier::api::admin
