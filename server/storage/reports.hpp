#pragma once
// Reports of rooms, events and users to the server's administrators (client-server API, "Reporting
// content"), and OpenID tokens (client-server API, "OpenID"), which other servers exchange for
// the user's ID.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct Report {
  /// "" for a report of a user.
  std::string room_id;
  /// "" for a report of a room or a user.
  std::string event_id;
  std::string user_id;
  std::optional<std::string> reason;
  std::optional<std::int64_t> score;
  std::int64_t received_ts = 0;
  /// The reported user, for a report of a user.
  std::optional<std::string> target_user_id = std::nullopt;

  bool operator==(const Report&) const = default;
};

class ReportReads {
 public:
  virtual ~ReportReads() = default;
  /// The newest `limit` reports, newest first.
  virtual std::vector<Report> recent(std::size_t limit) = 0;
  /// The user an unexpired OpenID token was issued to (expired at `now_ts` or unknown: nullopt).
  virtual std::optional<std::string> openid_user(std::string_view token, std::int64_t now_ts) = 0;
};

class ReportStore : public ReportReads {
 public:
  virtual void add(const Report& report) = 0;
  /// Stores an OpenID token (hashed) valid until `expires_ts`; drops tokens expired by `now_ts`.
  virtual void add_openid_token(std::string_view token, std::string_view user_id, std::int64_t expires_ts,
                                std::int64_t now_ts) = 0;
};

}  // namespace ranvier::storage
