#include "core/auth/event_view.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ranvier::auth {
namespace {

// Byte order of two strings as std::string compares them (unsigned bytes, then length), inline:
// the keys on a search path nearly always differ in their first bytes, and std::string's
// compare makes a memcmp call at every node.
int compare_text(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + sizeof(std::uint64_t) <= n; i += sizeof(std::uint64_t)) {
      std::uint64_t x = 0;
      std::uint64_t y = 0;
      std::memcpy(&x, a.data() + i, sizeof x);
      std::memcpy(&y, b.data() + i, sizeof y);
      if (x != y) {
        // The lowest differing bit lies in the first differing byte.
        i += static_cast<std::size_t>(std::countr_zero(x ^ y)) / 8;
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
      }
    }
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// A key for the object map's transparent find (std::less<>) that compares with compare_text.
struct InlineKey {
  std::string_view text;
};
bool operator<(const std::string& a, const InlineKey& b) { return compare_text(a, b.text) < 0; }
bool operator<(const InlineKey& a, const std::string& b) { return compare_text(a.text, b) < 0; }

const nlohmann::json& empty_object() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}

std::int64_t integer_member(const nlohmann::json& object, std::string_view key) {
  const auto* value = member(object, key);
  if (value == nullptr) {
    return 0;
  }
  if (value->is_number_integer()) {
    return value->get<std::int64_t>();
  }
  if (value->is_number_unsigned()) {
    auto u = value->get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(u);
  }
  return 0;
}

}  // namespace

const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  const auto* map = object.get_ptr<const nlohmann::json::object_t*>();
  if (map == nullptr) {
    return nullptr;
  }
  auto it = map->find(InlineKey{key});
  return it == map->end() ? nullptr : &it->second;
}

std::optional<std::string_view> string_member(const nlohmann::json& object, std::string_view key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string_view(value->get_ref<const std::string&>());
}

std::string_view server_of(std::string_view id) {
  auto colon = id.find(':');
  return colon == std::string_view::npos ? std::string_view{} : id.substr(colon + 1);
}

std::string_view EventView::event_id() const { return string_member(*pdu_, "event_id").value_or(""); }

std::string_view EventView::type() const { return string_member(*pdu_, "type").value_or(""); }

std::string_view EventView::sender() const { return string_member(*pdu_, "sender").value_or(""); }

std::optional<std::string_view> EventView::state_key() const { return string_member(*pdu_, "state_key"); }

std::optional<std::string_view> EventView::room_id() const { return string_member(*pdu_, "room_id"); }

const nlohmann::json& EventView::content() const {
  const auto* value = member(*pdu_, "content");
  return value != nullptr && value->is_object() ? *value : empty_object();
}

std::int64_t EventView::origin_server_ts() const { return integer_member(*pdu_, "origin_server_ts"); }

std::int64_t EventView::depth() const { return integer_member(*pdu_, "depth"); }

std::vector<std::string_view> EventView::auth_event_ids() const {
  std::vector<std::string_view> ids;
  for_each_reference(member(*pdu_, "auth_events"), [&](std::string_view id) { ids.push_back(id); });
  return ids;
}

std::vector<std::string_view> EventView::prev_event_ids() const {
  std::vector<std::string_view> ids;
  for_each_reference(member(*pdu_, "prev_events"), [&](std::string_view id) { ids.push_back(id); });
  return ids;
}

std::size_t EventView::prev_event_count() const {
  const auto* list = member(*pdu_, "prev_events");
  return list != nullptr && list->is_array() ? list->size() : 0;
}

std::optional<std::string_view> EventView::redacts() const {
  if (auto top = string_member(*pdu_, "redacts")) {
    return top;
  }
  return string_member(content(), "redacts");
}

}  // namespace ranvier::auth
