// POST /_matrix/client/v3/user_directory/search (client-server API, "User directory"). The
// searcher finds the users they share a room with and the members of rooms published in the
// room directory (Synapse also counts unpublished rooms with a public join rule); a term
// matches the user ID or display name, case-insensitively, at the start of any word. Exact and
// prefix matches of the whole name or localpart rank first.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::int64_t default_limit = 10;
constexpr std::int64_t max_limit = 100;
constexpr std::size_t max_public_rooms = 1000;

std::string folded(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// 0: no match; higher ranks first (whole value, prefix of the value, prefix of a word).
int match_rank(const std::string& value, const std::string& term) {
  const auto text = folded(value);
  if (text == term) {
    return 3;
  }
  if (text.starts_with(term)) {
    return 2;
  }
  for (std::size_t at = text.find(term); at != std::string::npos; at = text.find(term, at + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(text[at - 1]))) {
      return 1;
    }
  }
  return 0;
}

struct Found {
  int rank;
  std::string user_id;
  nlohmann::json entry;
};

}  // namespace

ApiResponse searchUserDirectory(RequestContext& ctx, const SearchUserDirectoryRequest& req) {
  const std::int64_t limit = std::clamp(req.limit.value_or(default_limit), std::int64_t{0}, max_limit);
  const std::string term = folded(req.search_term);
  const auto& me = ctx.principal->user_id;
  auto found = ctx.services.database.read([&](storage::ReadTx& tx) {
    std::set<std::string> visible;
    auto add_members = [&](const std::string& room_id) {
      for (const auto& member : tx.rooms().members(room_id, storage::Membership::join)) {
        visible.insert(member.user_id);
      }
    };
    for (const auto& room : tx.rooms().rooms_for_user(me, storage::Membership::join)) {
      add_members(room.room_id);
    }
    for (const auto& room : tx.rooms().public_rooms("", max_public_rooms)) {
      add_members(room.room_id);
    }
    std::vector<Found> matches;
    for (const auto& user_id : visible) {
      nlohmann::json entry = {{"user_id", user_id}};
      std::string display_name;
      if (auto text = tx.profiles().get(user_id)) {
        auto profile = nlohmann::json::parse(*text, nullptr, false);
        if (profile.is_object()) {
          if (profile.contains("displayname") && profile["displayname"].is_string()) {
            display_name = profile["displayname"].get<std::string>();
            entry["display_name"] = display_name;
          }
          if (profile.contains("avatar_url") && profile["avatar_url"].is_string()) {
            entry["avatar_url"] = profile["avatar_url"];
          }
        }
      }
      const auto localpart = user_id.substr(1, user_id.find(':') - 1);
      const int rank = std::max({match_rank(localpart, term), match_rank(user_id, term),
                                 display_name.empty() ? 0 : match_rank(display_name, term)});
      if (term.empty() || rank > 0) {
        matches.push_back({rank, user_id, std::move(entry)});
      }
    }
    std::sort(matches.begin(), matches.end(), [](const Found& a, const Found& b) {
      return a.rank != b.rank ? a.rank > b.rank : a.user_id < b.user_id;
    });
    return matches;
  });
  auto results = nlohmann::json::array();
  for (std::size_t i = 0; i < found.size() && static_cast<std::int64_t>(i) < limit; ++i) {
    results.push_back(found[i].entry);
  }
  return json_response({{"results", results}, {"limited", static_cast<std::int64_t>(found.size()) > limit}});
}

}  // namespace ranvier::api::client_server
