#pragma once
// CIDR range sets for the URL preview fetcher's deny and allow lists (config
// media.url_preview). IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked as IPv4.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::media {

class IpRanges {
 public:
  /// Parses "ADDRESS" or "ADDRESS/PREFIX" entries; nullopt if any is malformed.
  static std::optional<IpRanges> parse(const std::vector<std::string>& cidrs);

  /// True if the IP literal `address` lies in some range; false for non-literals.
  bool contains(std::string_view address) const;

 private:
  struct Range {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 0;
  };
  std::vector<Range> ranges_;
};

/// True if the address may be fetched: not in `deny`, or in `allow`.
bool ip_allowed(std::string_view address, const IpRanges& deny, const IpRanges& allow);

}  // namespace ranvier::media
