#pragma once
// Endpoints that are not in the Matrix spec but that tools expect of a homeserver (SyTest,
// Complement and admin tools create users through Synapse's admin API). They are routed like
// spec operations but are not counted by the coverage report.

#include "api/operation.hpp"

#include <span>

namespace ranvier::api {

/// The non-spec operations Ranvier serves.
std::span<const Operation> extension_operations();

}  // namespace ranvier::api
