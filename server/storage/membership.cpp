#include <array>
#include <utility>

#include "storage/rooms.hpp"

namespace ranvier::storage {
namespace {

constexpr std::array<std::pair<Membership, std::string_view>, 5> names{{
    {Membership::invite, "invite"},
    {Membership::join, "join"},
    {Membership::knock, "knock"},
    {Membership::leave, "leave"},
    {Membership::ban, "ban"},
}};

}  // namespace

std::string_view to_string(Membership membership) {
  for (const auto& [value, name] : names) {
    if (value == membership) {
      return name;
    }
  }
  return "leave";
}

std::optional<Membership> parse_membership(std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace ranvier::storage
