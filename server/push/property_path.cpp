#include "push/property_path.hpp"

namespace ranvier::push {

PropertyPath parse_property_path(std::string_view dotted) {
  PropertyPath path;
  std::string key;
  for (std::size_t i = 0; i < dotted.size(); ++i) {
    const char c = dotted[i];
    if (c == '\\' && i + 1 < dotted.size() && (dotted[i + 1] == '.' || dotted[i + 1] == '\\')) {
      key.push_back(dotted[++i]);
    } else if (c == '.') {
      path.push_back(std::move(key));
      key.clear();
    } else {
      key.push_back(c);
    }
  }
  path.push_back(std::move(key));
  return path;
}

const nlohmann::json* find_property(const nlohmann::json& event, const PropertyPath& path) {
  const nlohmann::json* node = &event;
  for (const std::string& key : path) {
    if (!node->is_object()) {
      return nullptr;
    }
    const auto it = node->find(key);
    if (it == node->end()) {
      return nullptr;
    }
    node = &*it;
  }
  return node;
}

}  // namespace ranvier::push
