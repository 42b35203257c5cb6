#include "media/media_id.hpp"

#include <sodium.h>

namespace ranvier::media {

std::string new_media_id() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr std::size_t length = 24;
  std::string id;
  id.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    id.push_back(alphabet[randombytes_uniform(sizeof alphabet - 1)]);
  }
  return id;
}

bool is_valid_media_id(std::string_view media_id) {
  if (media_id.empty() || media_id.size() > 255) {
    return false;
  }
  for (char c : media_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace ranvier::media
