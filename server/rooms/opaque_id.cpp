#include "rooms/opaque_id.hpp"

#include <sodium.h>

namespace ranvier::rooms {

std::string opaque_id(std::size_t length) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id;
  id.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    id.push_back(alphabet[randombytes_uniform(sizeof alphabet - 1)]);
  }
  return id;
}

}  // namespace ranvier::rooms
