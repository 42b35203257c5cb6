#include "rooms/third_party_signature.hpp"

#include "core/base64.hpp"
#include "core/ed25519.hpp"
#include "core/signing.hpp"

#include <algorithm>
#include <optional>

namespace ranvier::rooms {
namespace {

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> decode_exactly(std::string_view text) {
  auto bytes = core::base64_decode(text);
  if (!bytes) {
    bytes = core::base64url_decode(text);
  }
  if (!bytes || bytes->size() != N) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

bool third_party_signed(const nlohmann::json& signed_block, std::string_view public_key) {
  const auto key = decode_exactly<32>(public_key);
  const auto signatures = signed_block.find("signatures");
  if (!key || !signed_block.is_object() || signatures == signed_block.end() || !signatures->is_object()) {
    return false;
  }
  const auto signable = core::signable_json(signed_block);
  for (const auto& [signer, by_key] : signatures->items()) {
    if (!by_key.is_object()) {
      continue;
    }
    for (const auto& [key_id, signature] : by_key.items()) {
      if (key_id.rfind("ed25519:", 0) != 0 || !signature.is_string()) {
        continue;
      }
      const auto bytes = decode_exactly<64>(signature.get<std::string>());
      if (bytes && core::ed25519_verify(*key, signable, *bytes)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace ranvier::rooms
