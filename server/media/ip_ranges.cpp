#include "media/ip_ranges.hpp"

#include <charconv>

#include <arpa/inet.h>

namespace ranvier::media {
namespace {

struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

std::optional<Address> parse_address(const std::string& text) {
  Address a;
  if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    return a;
  }
  if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.v6 = true;
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(mapped), std::end(mapped), a.bytes.begin())) {
      std::array<std::uint8_t, 16> v4{};
      std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
      return Address{false, v4};
    }
    return a;
  }
  return std::nullopt;
}

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int prefix) {
  int i = 0;
  for (; prefix >= 8; prefix -= 8, ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  if (prefix == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - prefix));
  return (a[i] & mask) == (b[i] & mask);
}

}  // namespace

std::optional<IpRanges> IpRanges::parse(const std::vector<std::string>& cidrs) {
  IpRanges out;
  for (const auto& cidr : cidrs) {
    const auto slash = cidr.find('/');
    Address a;
    // Ranges are kept as written: "::ffff:0:0/96" stays IPv6 and matches nothing mapped, the
    // mapped addresses themselves being checked against the IPv4 ranges.
    const auto text = cidr.substr(0, slash);
    if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) != 1) {
      if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) != 1) {
        return std::nullopt;
      }
      a.v6 = true;
    }
    const int max_prefix = a.v6 ? 128 : 32;
    int prefix = max_prefix;
    if (slash != std::string::npos) {
      const auto p = std::string_view(cidr).substr(slash + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
      if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max_prefix) {
        return std::nullopt;
      }
    }
    out.ranges_.push_back(Range{a.v6, a.bytes, prefix});
  }
  return out;
}

bool IpRanges::contains(std::string_view address) const {
  auto parsed = parse_address(std::string(address));
  if (!parsed) {
    return false;
  }
  for (const auto& range : ranges_) {
    if (range.v6 == parsed->v6 && prefix_matches(range.bytes, parsed->bytes, range.prefix)) {
      return true;
    }
  }
  return false;
}

bool ip_allowed(std::string_view address, const IpRanges& deny, const IpRanges& allow) {
  return !deny.contains(address) || allow.contains(address);
}

}  // namespace ranvier::media
