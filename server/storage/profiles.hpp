#pragma once
// Profiles of local users: displayname, avatar_url, m.tz and custom fields, kept as one JSON
// object per user (the spec caps a whole profile at 64 KiB, and every read wants all of it).

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {

/// Profile queries available in any transaction.
class ProfileReads {
 public:
  virtual ~ProfileReads() = default;
  /// The profile as JSON object text; nullopt when the user has never set a field.
  virtual std::optional<std::string> get(std::string_view user_id) = 0;
};

/// Profile changes, available in write transactions.
class ProfileStore : public ProfileReads {
 public:
  /// Replaces the whole profile (JSON object text) of an existing account
  /// (ErrorKind::constraint otherwise).
  virtual void put(std::string_view user_id, std::string_view profile_json) = 0;
};

}  // namespace ranvier::storage
