#include "api/admin/admin_common.hpp"

#include "api/errors.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/canonical_json.hpp"
#include "core/identifiers.hpp"

#include <charconv>

namespace ranvier::api::admin {

void require_admin(const RequestContext& ctx) {
  if (!ctx.principal || !ctx.principal->is_admin) {
    throw MatrixError(ErrCode::forbidden, "You are not a server admin");
  }
}

std::string local_user_param(const RequestContext& ctx, std::size_t index) {
  const std::string& user_id = ctx.path_params.at(index);
  const auto parsed = core::parse_user_id(user_id);
  if (!parsed) {
    throw MatrixError(ErrCode::invalid_param, "Not a user ID: " + user_id);
  }
  if (parsed->server_name != ctx.services.config.server_name) {
    throw MatrixError(ErrCode::invalid_param, "Can only look up local users");
  }
  return user_id;
}

std::string room_id_param(const RequestContext& ctx, std::size_t index) {
  const std::string& room_id = ctx.path_params.at(index);
  if (!room_id.starts_with("!") || room_id.size() > 255) {
    throw MatrixError(ErrCode::invalid_param, "Not a room ID: " + room_id);
  }
  return room_id;
}

nlohmann::json object_body(const RequestContext& ctx) {
  const std::string& text = ctx.request.body;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return nlohmann::json::object();
  }
  auto parsed = core::parse_json_strict(text);
  if (!parsed) {
    throw MatrixError(ErrCode::not_json, "Content not JSON");
  }
  if (!parsed->is_object()) {
    throw MatrixError(ErrCode::bad_json, "The body must be a JSON object");
  }
  return std::move(*parsed);
}

std::optional<bool> optional_bool(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end()) {
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    throw MatrixError(ErrCode::invalid_param, std::string(key) + " must be a boolean");
  }
  return it->get<bool>();
}

std::optional<std::string> optional_string(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    throw MatrixError(ErrCode::invalid_param, std::string(key) + " must be a string");
  }
  return it->get<std::string>();
}

std::optional<std::string> query_value(const RequestContext& ctx, std::string_view name) {
  for (const auto& [key, value] : ctx.query) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

std::int64_t query_count(const RequestContext& ctx, std::string_view name, std::int64_t fallback) {
  const auto text = query_value(ctx, name);
  if (!text) {
    return fallback;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0) {
    throw MatrixError(ErrCode::invalid_param, "Query parameter " + std::string(name) + " must be a non-negative integer");
  }
  return value;
}

bool query_bool(const RequestContext& ctx, std::string_view name, bool fallback) {
  const auto text = query_value(ctx, name);
  if (!text) {
    return fallback;
  }
  if (*text == "true") {
    return true;
  }
  if (*text == "false") {
    return false;
  }
  throw MatrixError(ErrCode::invalid_param, "Query parameter " + std::string(name) + " must be true or false");
}

}  // namespace ranvier::api::admin
