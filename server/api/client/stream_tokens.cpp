#include "api/client/stream_tokens.hpp"

#include <charconv>

namespace ranvier::api::client_server {
namespace {

/// Parses `<prefix><a>_<b>` with non-negative decimal numbers; `b` may be negative with
/// `negative_second` (backfilled events sit at stream positions below zero).
std::optional<std::pair<std::int64_t, std::int64_t>> parse_pair(std::string_view text, char prefix,
                                                                bool negative_second = false) {
  if (text.size() < 4 || text.front() != prefix) {
    return std::nullopt;
  }
  text.remove_prefix(1);
  auto sep = text.find('_');
  if (sep == std::string_view::npos) {
    return std::nullopt;
  }
  auto number = [](std::string_view digits) -> std::optional<std::int64_t> {
    std::int64_t value = 0;
    if (digits.empty() || digits.front() == '-') {
      return std::nullopt;
    }
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    return value;
  };
  auto a = number(text.substr(0, sep));
  auto second = text.substr(sep + 1);
  const bool negative = negative_second && second.size() > 1 && second.front() == '-';
  auto b = number(negative ? second.substr(1) : second);
  if (b && negative) {
    *b = -*b;
  }
  if (!a || !b) {
    return std::nullopt;
  }
  return std::pair{*a, *b};
}

}  // namespace

std::string SyncToken::text() const {
  return "s" + std::to_string(events) + "_" + std::to_string(account_data) + "_" + std::to_string(typing) + "_" +
         std::to_string(receipts) + "_" + std::to_string(to_device) + "_" + std::to_string(presence) + "_" +
         std::to_string(device_lists);
}

std::optional<SyncToken> SyncToken::parse(std::string_view text) {
  if (text.size() < 4 || text.front() != 's') {
    return std::nullopt;
  }
  text.remove_prefix(1);
  std::int64_t parts[7] = {0, 0, 0, 0, 0, 0, 0};
  std::size_t count = 0;
  while (true) {
    auto sep = text.find('_');
    auto digits = text.substr(0, sep);
    if (count == 7 || digits.empty() || digits.front() == '-') {
      return std::nullopt;
    }
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parts[count]);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    ++count;
    if (sep == std::string_view::npos) {
      break;
    }
    text.remove_prefix(sep + 1);
  }
  if (count < 2) {
    return std::nullopt;
  }
  return SyncToken{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]};
}

std::string TopologicalToken::text() const { return "t" + std::to_string(depth) + "_" + std::to_string(stream); }

std::optional<TopologicalToken> TopologicalToken::parse(std::string_view text) {
  auto pair = parse_pair(text, 't', true);
  if (!pair) {
    return std::nullopt;
  }
  return TopologicalToken{pair->first, pair->second};
}

}  // namespace ranvier::api::client_server
