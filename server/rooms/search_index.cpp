#include "rooms/search_index.hpp"

namespace ranvier::rooms {

std::optional<std::pair<std::string, std::string>> searchable_text(const nlohmann::json& event) {
  const auto type = event.find("type");
  const auto content = event.find("content");
  if (type == event.end() || !type->is_string() || content == event.end() || !content->is_object()) {
    return std::nullopt;
  }
  const char* field = nullptr;
  if (*type == "m.room.message") {
    field = "body";
  } else if (*type == "m.room.name") {
    field = "name";
  } else if (*type == "m.room.topic") {
    field = "topic";
  } else {
    return std::nullopt;
  }
  const auto value = content->find(field);
  if (value == content->end() || !value->is_string() || value->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return std::make_pair(std::string("content.") + field, value->get<std::string>());
}

void index_for_search(storage::WriteTx& tx, const nlohmann::json& event, std::int64_t stream) {
  if (auto text = searchable_text(event)) {
    tx.search().index(stream, text->first, text->second);
  }
}

}  // namespace ranvier::rooms
