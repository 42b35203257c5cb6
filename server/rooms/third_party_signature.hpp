#pragma once
// The signature check of third-party invites (room versions' auth rules for m.room.member with
// `third_party_invite`): the identity server signs the `signed` block ({mxid, token,
// signatures}) with the key of the room's m.room.third_party_invite event.

#include <nlohmann/json.hpp>

#include <string_view>

namespace ranvier::rooms {

/// True if some ed25519 signature in `signed_block` (any signer name) verifies over the block's
/// canonical JSON with `public_key` (unpadded base64, standard or URL-safe alphabet).
bool third_party_signed(const nlohmann::json& signed_block, std::string_view public_key);

}  // namespace ranvier::rooms
