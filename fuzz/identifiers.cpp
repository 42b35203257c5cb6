// Fuzz target: identifier parsers. Invariants: no crash; a successful parse reassembles to the
// input; the bool validators agree with the parsers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/identifiers.hpp"
#include "fuzz_assert.hpp"

namespace core = ranvier::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);

  if (const auto name = core::parse_server_name(s)) {
    // Reassembling gives the same name up to leading zeros in the port.
    const auto again =
        core::parse_server_name(name->host + (name->port ? ":" + std::to_string(*name->port) : ""));
    FUZZ_ASSERT(again && again->host == name->host && again->port == name->port);
  }
  for (const bool historical : {false, true}) {
    const auto user = core::parse_user_id(s, historical);
    FUZZ_ASSERT(user.has_value() == core::is_valid_user_id(s, historical));
    if (user) {
      FUZZ_ASSERT("@" + user->localpart + ":" + user->server_name == s);
      FUZZ_ASSERT(s.size() <= core::max_identifier_bytes);
      FUZZ_ASSERT(core::is_valid_server_name(user->server_name));
      if (!historical) {
        FUZZ_ASSERT(core::is_valid_user_id(s, true));
      }
    }
  }
  if (const auto room = core::parse_room_id(s)) {
    const std::string back =
        "!" + room->opaque + (room->server_name.empty() ? "" : ":" + room->server_name);
    FUZZ_ASSERT(back == s);
  }
  if (const auto event = core::parse_event_id(s)) {
    const std::string back =
        "$" + event->opaque + (event->server_name.empty() ? "" : ":" + event->server_name);
    FUZZ_ASSERT(back == s);
    bool any_format = false;
    for (const auto f : {core::EventFormat::v1, core::EventFormat::v3, core::EventFormat::v4}) {
      any_format = any_format || core::is_valid_event_id_for(s, f);
    }
    FUZZ_ASSERT(any_format);
  }
  if (const auto alias = core::parse_room_alias(s)) {
    FUZZ_ASSERT("#" + alias->localpart + ":" + alias->server_name == s);
  }
  (void)core::is_valid_device_id(s);
  (void)core::is_valid_user_localpart(s);
  return 0;
}
