#pragma once
// Registration tokens (client-server API, "Token-authenticated registration"): what lets a new
// user register on a server whose registration needs a token. Issued by the operator
// (`ranvier registration-token`), each with an optional use limit and expiry.

#include "storage/accounts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct RegistrationToken {
  std::string token;
  /// How many registrations it may complete; nullopt: unlimited.
  std::optional<std::int64_t> uses_allowed{};
  /// Registrations completed with it.
  std::int64_t completed = 0;
  /// Milliseconds since the epoch after which it is no longer valid; nullopt: never.
  std::optional<std::int64_t> expiry_time{};
  std::int64_t created_ts = 0;

  /// True if it may still be used at `now_ts`.
  bool usable(std::int64_t now_ts) const {
    return (!uses_allowed || completed < *uses_allowed) && (!expiry_time || now_ts < *expiry_time);
  }
  bool operator==(const RegistrationToken&) const = default;
};

class RegistrationTokenReads {
 public:
  virtual ~RegistrationTokenReads() = default;
  virtual std::optional<RegistrationToken> get(std::string_view token) = 0;
  /// Every token, ordered by token.
  virtual std::vector<RegistrationToken> list() = 0;
};

class RegistrationTokenStore : public RegistrationTokenReads {
 public:
  /// Stores a new token; `exists` and no change if it is taken.
  virtual CreateResult create(const RegistrationToken& token) = 0;
  /// Counts one completed registration if the token is usable at `now_ts`; false (and no
  /// change) otherwise. Concurrent uses of a token with one use left: one wins.
  virtual bool consume(std::string_view token, std::int64_t now_ts) = 0;
  /// Deletes a token; false if it was unknown.
  virtual bool remove(std::string_view token) = 0;
};

}  // namespace ranvier::storage
