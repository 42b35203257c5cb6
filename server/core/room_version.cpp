#include "room_version.hpp"

#include <array>

namespace ranvier::core {
namespace {

using EF = EventFormat;
using RA = RedactionAlgorithm;
using SR = StateResAlgorithm;

// Columns: id, event format, redaction, state res, redaction rule, aliases rule, key validity,
// strict JSON, notifications PL, knocking, restricted, knock_restricted, integer PL,
// implicit creator, redacts in content, room ID = create hash, privileged creators,
// event-ID-domain signature.
constexpr std::array<RoomVersion, 12> versions{{
    {"1", EF::v1, RA::v1, SR::v1, true, true, false, false, false, false, false, false, false, false, false, false, false, true},
    {"2", EF::v1, RA::v1, SR::v2, true, true, false, false, false, false, false, false, false, false, false, false, false, true},
    {"3", EF::v3, RA::v1, SR::v2, false, true, false, false, false, false, false, false, false, false, false, false, false, false},
    {"4", EF::v4, RA::v1, SR::v2, false, true, false, false, false, false, false, false, false, false, false, false, false, false},
    {"5", EF::v4, RA::v1, SR::v2, false, true, true, false, false, false, false, false, false, false, false, false, false, false},
    {"6", EF::v4, RA::v6, SR::v2, false, false, true, true, true, false, false, false, false, false, false, false, false, false},
    {"7", EF::v4, RA::v6, SR::v2, false, false, true, true, true, true, false, false, false, false, false, false, false, false},
    {"8", EF::v4, RA::v8, SR::v2, false, false, true, true, true, true, true, false, false, false, false, false, false, false},
    {"9", EF::v4, RA::v9, SR::v2, false, false, true, true, true, true, true, false, false, false, false, false, false, false},
    {"10", EF::v4, RA::v9, SR::v2, false, false, true, true, true, true, true, true, true, false, false, false, false, false},
    {"11", EF::v4, RA::v11, SR::v2, false, false, true, true, true, true, true, true, true, true, true, false, false, false},
    {"12", EF::v4, RA::v11, SR::v2_1, false, false, true, true, true, true, true, true, true, true, true, true, true, false},
}};

}  // namespace

std::span<const RoomVersion> known_room_versions() { return versions; }

const RoomVersion* find_room_version(std::string_view id) {
  for (const auto& v : versions) {
    if (v.id == id) {
      return &v;
    }
  }
  return nullptr;
}

}  // namespace ranvier::core
