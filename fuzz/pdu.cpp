// Fuzz target: a received PDU through every room version: format checks, event ID, redaction,
// hashing and signature verification. Invariants: no crash or exception; the streaming redacted
// encoder agrees with redact(); redaction is idempotent and keeps the reference hash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/canonical_json.hpp"
#include "core/event.hpp"
#include "core/pdu_format.hpp"
#include "core/redaction.hpp"
#include "fuzz_assert.hpp"

namespace core = ranvier::core;

namespace {

const core::SigningKey& fuzz_key() {
  static const core::SigningKey key = *core::make_signing_key("fuzz", core::Ed25519Seed{1, 2, 3});
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = core::parse_json_strict(text, core::NumberPolicy::lenient);
  if (!parsed) {
    return 0;
  }
  const core::VerifyKeyLookup lookup = [](std::string_view, std::string_view key_id)
      -> std::optional<core::VerifyKey> {
    if (key_id != fuzz_key().key_id) {
      return std::nullopt;
    }
    return core::VerifyKey{fuzz_key().pair.public_key, 1000};
  };
  for (const auto& version : core::known_room_versions()) {
    const auto format_issue = core::check_pdu_format(*parsed, version);
    const auto redacted = core::redact(*parsed, version);
    FUZZ_ASSERT(core::redacted_signable_json(*parsed, version) == core::signable_json(redacted));
    FUZZ_ASSERT(core::redact(redacted, version) == redacted);
    if (!parsed->is_object()) {
      continue;
    }
    FUZZ_ASSERT(core::reference_hash(redacted, version) == core::reference_hash(*parsed, version));
    (void)core::event_id_of(*parsed, version);
    (void)core::content_hash(*parsed);
    if (!format_issue) {
      const auto result = core::verify_event(*parsed, version, lookup);
      FUZZ_ASSERT(result.verdict == core::EventVerdict::reject || result.signature_error == std::nullopt);
      // Signing with our key then verifying must succeed for any well-formed event whose
      // signers are just the sender's server.
      auto signed_event = *parsed;
      const auto signers = core::required_signers(signed_event, version);
      if (signers.size() == 1) {
        core::sign_event(signed_event, version, signers[0], fuzz_key());
        FUZZ_ASSERT(core::verify_event(signed_event, version, lookup).verdict != core::EventVerdict::reject ||
                    (version.enforce_key_validity &&
                     signed_event["origin_server_ts"].get<std::int64_t>() > 1000));
      }
    }
  }
  return 0;
}
