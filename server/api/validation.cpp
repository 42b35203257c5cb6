#include "api/validation.hpp"

#include "api/errors.hpp"
#include "core/base64.hpp"
#include "core/canonical_json.hpp"
#include "core/identifiers.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>

namespace ranvier::api::validation {
namespace {

using nlohmann::json;

// Request bodies are read with the lenient number policy: canonical JSON's integer range
// applies to signed data, not to what clients send.
std::optional<json> parse_request_json(std::string_view text, ErrCode* code, std::string* error) {
  auto parsed = core::parse_json_strict(text, core::NumberPolicy::lenient);
  if (parsed) {
    return std::move(parsed).value();
  }
  // A repeated key is still JSON by RFC 8259's grammar, but malformed: M_BAD_JSON. Everything
  // else the strict parser refuses is not JSON at all.
  if (code != nullptr) {
    *code = parsed.error().code == core::JsonErrorCode::duplicate_key ? ErrCode::bad_json : ErrCode::not_json;
  }
  if (error != nullptr) {
    *error = std::string(core::to_string(parsed.error().code)) + " at byte " +
             std::to_string(parsed.error().offset);
  }
  return std::nullopt;
}

// mxc://<server-name>/<media-id>, media ID from [A-Za-z0-9_-] (content repository section).
bool is_mxc_uri(std::string_view s) {
  constexpr std::string_view scheme = "mxc://";
  if (!s.starts_with(scheme)) {
    return false;
  }
  s.remove_prefix(scheme.size());
  const auto slash = s.find('/');
  if (slash == std::string_view::npos || !core::is_valid_server_name(s.substr(0, slash))) {
    return false;
  }
  const auto media_id = s.substr(slash + 1);
  return !media_id.empty() && std::all_of(media_id.begin(), media_id.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-';
  });
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](unsigned char c) { return (c & 0xC0U) != 0x80U; }));
}

// JSON types as a bit set, in the order of the spec's `type` names.
enum TypeBit : std::uint8_t {
  t_string = 1U << 0,
  t_integer = 1U << 1,
  t_number = 1U << 2,
  t_boolean = 1U << 3,
  t_object = 1U << 4,
  t_array = 1U << 5,
  t_null = 1U << 6,
};

std::uint8_t type_bit(std::string_view name) {
  static constexpr std::pair<std::string_view, TypeBit> names[] = {
      {"string", t_string}, {"integer", t_integer}, {"number", t_number}, {"boolean", t_boolean},
      {"object", t_object}, {"array", t_array},     {"null", t_null}};
  for (const auto& [n, bit] : names) {
    if (n == name) {
      return bit;
    }
  }
  throw std::invalid_argument("unknown schema type " + std::string(name));
}

bool fits_int64(const json& v) {
  return v.is_number_integer() &&
         (!v.is_number_unsigned() ||
          v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

bool has_type(const json& v, std::uint8_t types) {
  if (types == 0) {
    return true;
  }
  switch (v.type()) {
    case json::value_t::string:
      return (types & t_string) != 0;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return ((types & t_integer) != 0 && fits_int64(v)) || (types & t_number) != 0;
    case json::value_t::number_float:
      return (types & t_number) != 0;
    case json::value_t::boolean:
      return (types & t_boolean) != 0;
    case json::value_t::object:
      return (types & t_object) != 0;
    case json::value_t::array:
      return (types & t_array) != 0;
    case json::value_t::null:
      return (types & t_null) != 0;
    default:
      return false;
  }
}

std::string type_names(std::uint8_t types) {
  static constexpr std::string_view names[] = {"string", "integer", "number", "boolean",
                                               "object", "array",   "null"};
  std::string out;
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if ((types & (1U << i)) != 0) {
      out += out.empty() ? "" : " or ";
      out += names[i];
    }
  }
  return out;
}

std::optional<std::size_t> size_keyword(const json& schema, const char* key) {
  if (auto it = schema.find(key); it != schema.end()) {
    return it->get<std::size_t>();
  }
  return std::nullopt;
}

std::optional<double> number_keyword(const json& schema, const char* key) {
  if (auto it = schema.find(key); it != schema.end()) {
    return it->get<double>();
  }
  return std::nullopt;
}

}  // namespace

FormatMask format_from_name(std::string_view name) {
  static constexpr std::pair<std::string_view, FormatMask> names[] = {
      {"mx-user-id", format::user_id},
      {"mx-room-id", format::room_id},
      {"mx-event-id", format::event_id},
      {"mx-room-alias", format::room_alias},
      {"mx-server-name", format::server_name},
      {"mx-mxc-uri", format::mxc_uri},
      {"mx-unpadded-base64", format::unpadded_base64},
      {"mx-urlsafe-unpadded-base64", format::urlsafe_unpadded_base64},
  };
  for (const auto& [n, mask] : names) {
    if (n == name) {
      return mask;
    }
  }
  return format::none;
}

bool has_format(std::string_view value, FormatMask mask) {
  if (mask == format::none) {
    return true;
  }
  return ((mask & format::user_id) != 0 && core::is_valid_user_id(value)) ||
         ((mask & format::room_id) != 0 && core::is_valid_room_id(value)) ||
         ((mask & format::event_id) != 0 && core::is_valid_event_id(value)) ||
         ((mask & format::room_alias) != 0 && core::is_valid_room_alias(value)) ||
         ((mask & format::server_name) != 0 && core::is_valid_server_name(value)) ||
         ((mask & format::mxc_uri) != 0 && is_mxc_uri(value)) ||
         ((mask & format::unpadded_base64) != 0 && core::base64_decode(value).has_value()) ||
         ((mask & format::urlsafe_unpadded_base64) != 0 && core::base64url_decode(value).has_value());
}

struct BodySchema::Node {
  struct Named {
    std::string name;
    const Node* node;
  };
  struct PatternChild {
    Pattern re;
    const Node* node;
    FormatMask key_format;
  };

  std::uint8_t types = 0;
  FormatMask formats = format::none;
  FormatMask key_format = format::none;  // x-pattern-format, read by the parent
  std::vector<Named> properties;         // sorted by name
  std::vector<std::string> required;
  std::vector<PatternChild> patterns;
  const Node* additional = nullptr;
  bool additional_forbidden = false;
  const Node* items = nullptr;
  std::vector<json> allowed;  // enum (and const)
  std::vector<const Node*> one_of;
  std::vector<const Node*> any_of;
  std::optional<Pattern> pattern;
  std::optional<double> minimum, maximum;
  std::optional<std::size_t> min_length, max_length, min_items, max_items, min_props, max_props;
};

struct BodySchema::Impl {
  std::deque<Node> nodes;  // stable addresses for the child pointers
  const Node* root = nullptr;

  const Node* compile(const json& s) {
    if (!s.is_object()) {
      throw std::invalid_argument("schema must be an object");
    }
    Node& n = nodes.emplace_back();
    if (auto it = s.find("type"); it != s.end()) {
      if (it->is_array()) {
        for (const auto& t : *it) {
          n.types |= type_bit(t.get<std::string>());
        }
      } else {
        n.types = type_bit(it->get<std::string>());
      }
    }
    if (auto it = s.find("format"); it != s.end()) {
      n.formats = format_from_name(it->get<std::string>());
    }
    if (auto it = s.find("key_format"); it != s.end()) {
      n.key_format = format_from_name(it->get<std::string>());
    }
    if (auto it = s.find("properties"); it != s.end()) {
      for (const auto& [name, sub] : it->items()) {
        n.properties.push_back({name, compile(sub)});
      }
      std::sort(n.properties.begin(), n.properties.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    if (auto it = s.find("required"); it != s.end()) {
      n.required = it->get<std::vector<std::string>>();
    }
    if (auto it = s.find("patternProperties"); it != s.end()) {
      for (const auto& [source, sub] : it->items()) {
        const Node* child = compile(sub);
        n.patterns.push_back({Pattern(source), child, child->key_format});
      }
    }
    if (auto it = s.find("additionalProperties"); it != s.end()) {
      if (it->is_boolean()) {
        n.additional_forbidden = !it->get<bool>();
      } else {
        n.additional = compile(*it);
      }
    }
    if (auto it = s.find("items"); it != s.end() && it->is_object()) {
      n.items = compile(*it);
    }
    if (auto it = s.find("enum"); it != s.end()) {
      n.allowed = it->get<std::vector<json>>();
    }
    if (auto it = s.find("const"); it != s.end()) {
      n.allowed = {*it};
    }
    for (const char* key : {"oneOf", "anyOf"}) {
      if (auto it = s.find(key); it != s.end()) {
        auto& list = std::string_view(key) == "oneOf" ? n.one_of : n.any_of;
        for (const auto& sub : *it) {
          list.push_back(compile(sub));
        }
      }
    }
    if (auto it = s.find("pattern"); it != s.end()) {
      n.pattern.emplace(it->get<std::string>());
    }
    n.minimum = number_keyword(s, "minimum");
    n.maximum = number_keyword(s, "maximum");
    n.min_length = size_keyword(s, "minLength");
    n.max_length = size_keyword(s, "maxLength");
    n.min_items = size_keyword(s, "minItems");
    n.max_items = size_keyword(s, "maxItems");
    n.min_props = size_keyword(s, "minProperties");
    n.max_props = size_keyword(s, "maxProperties");
    return &n;
  }
};

namespace {

using Node = BodySchema::Node;

std::string at(const std::string& path) { return path.empty() ? "body" : path; }

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// The first violation of `n` by `v`, or nullopt. `path` names `v` for the message.
std::optional<std::string> check(const Node& n, const json& v, const std::string& path);

std::optional<std::string> check_string(const Node& n, const std::string& s, const std::string& path) {
  if (!has_format(s, n.formats)) {
    return at(path) + ": not a valid identifier of the expected kind";
  }
  if (n.pattern && !n.pattern->matches(s)) {
    return at(path) + ": does not match the required pattern";
  }
  const auto length = utf8_length(s);
  if ((n.min_length && length < *n.min_length) || (n.max_length && length > *n.max_length)) {
    return at(path) + ": string length out of range";
  }
  return std::nullopt;
}

std::optional<std::string> check_object(const Node& n, const json& v, const std::string& path) {
  for (const auto& key : n.required) {
    if (!v.contains(key)) {
      return "missing required key " + child_path(path, key);
    }
  }
  if ((n.min_props && v.size() < *n.min_props) || (n.max_props && v.size() > *n.max_props)) {
    return at(path) + ": wrong number of keys";
  }
  for (const auto& [key, value] : v.items()) {
    const auto sub = child_path(path, key);
    auto prop = std::lower_bound(n.properties.begin(), n.properties.end(), key,
                                 [](const Node::Named& p, const std::string& k) { return p.name < k; });
    if (prop != n.properties.end() && prop->name == key) {
      if (auto e = check(*prop->node, value, sub)) {
        return e;
      }
      continue;
    }
    bool matched = false;
    for (const auto& p : n.patterns) {
      if (!p.re.matches(key)) {
        continue;
      }
      matched = true;
      if (!has_format(key, p.key_format)) {
        return sub + ": key is not a valid identifier of the expected kind";
      }
      if (auto e = check(*p.node, value, sub)) {
        return e;
      }
    }
    if (matched) {
      continue;
    }
    if (n.additional_forbidden) {
      return sub + ": unexpected key";
    }
    if (n.additional != nullptr) {
      if (auto e = check(*n.additional, value, sub)) {
        return e;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_array(const Node& n, const json& v, const std::string& path) {
  if ((n.min_items && v.size() < *n.min_items) || (n.max_items && v.size() > *n.max_items)) {
    return at(path) + ": wrong number of items";
  }
  if (n.items == nullptr) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto e = check(*n.items, v[i], at(path) + "[" + std::to_string(i) + "]")) {
      return e;
    }
  }
  return std::nullopt;
}

std::optional<std::string> check(const Node& n, const json& v, const std::string& path) {
  if (!has_type(v, n.types)) {
    return at(path) + ": expected " + type_names(n.types);
  }
  if (!n.allowed.empty() && std::find(n.allowed.begin(), n.allowed.end(), v) == n.allowed.end()) {
    std::string names;
    for (const auto& a : n.allowed) {
      names += (names.empty() ? "" : ", ") + a.dump();
    }
    return at(path) + ": must be one of " + names;
  }
  if (!n.one_of.empty()) {
    const auto matches = std::count_if(n.one_of.begin(), n.one_of.end(),
                                       [&](const Node* alt) { return !check(*alt, v, path); });
    if (matches != 1) {
      return at(path) + ": does not match exactly one allowed form";
    }
  }
  if (!n.any_of.empty() && std::all_of(n.any_of.begin(), n.any_of.end(),
                                       [&](const Node* alt) { return check(*alt, v, path).has_value(); })) {
    return at(path) + ": does not match any allowed form";
  }
  if (v.is_number() && (n.minimum || n.maximum)) {
    const double d = v.get<double>();
    if ((n.minimum && d < *n.minimum) || (n.maximum && d > *n.maximum)) {
      return at(path) + ": number out of range";
    }
  }
  if (v.is_string()) {
    return check_string(n, v.get_ref<const std::string&>(), path);
  }
  if (v.is_object()) {
    return check_object(n, v, path);
  }
  if (v.is_array()) {
    return check_array(n, v, path);
  }
  return std::nullopt;
}

// The first value of a query parameter, checked to be UTF-8 (the router decoded it).
const std::string* find_query(const RequestContext& ctx, std::string_view name) {
  for (const auto& [key, value] : ctx.query) {
    if (key == name) {
      if (!core::is_valid_utf8(value)) {
        throw MatrixError(ErrCode::invalid_param, "Query parameter " + std::string(name) + " is not UTF-8");
      }
      return &value;
    }
  }
  return nullptr;
}

const std::string* find_required_query(const RequestContext& ctx, std::string_view name, bool required) {
  const std::string* value = find_query(ctx, name);
  if (value == nullptr && required) {
    throw MatrixError(ErrCode::missing_param, "Missing query parameter " + std::string(name));
  }
  return value;
}

[[noreturn]] void invalid_query(std::string_view name, std::string_view why) {
  throw MatrixError(ErrCode::invalid_param,
                    "Query parameter " + std::string(name) + " " + std::string(why));
}

const json* find_key(const json& body, std::string_view key) {
  if (!body.is_object()) {
    return nullptr;
  }
  auto it = body.find(key);
  return it == body.end() ? nullptr : &*it;
}

}  // namespace

BodySchema::BodySchema(std::string_view schema_json) : impl_(std::make_unique<Impl>()) {
  auto parsed = json::parse(schema_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw std::invalid_argument("BodySchema: schema text is not JSON");
  }
  impl_->root = impl_->compile(parsed);
}

BodySchema::~BodySchema() = default;

std::optional<std::string> BodySchema::violation(const json& value) const {
  return check(*impl_->root, value, "");
}

void BodySchema::validate(const json& value) const {
  if (!has_type(value, impl_->root->types)) {
    throw MatrixError(ErrCode::not_json, "Request body must be a JSON " + type_names(impl_->root->types));
  }
  if (auto error = violation(value)) {
    throw MatrixError(ErrCode::bad_json, *error);
  }
}

json parse_body(std::string_view body, const BodySchema& schema, bool required) {
  if (body.empty() && !required) {
    json empty = json::object();
    schema.validate(empty);
    return empty;
  }
  std::string error;
  ErrCode code = ErrCode::not_json;
  auto parsed = parse_request_json(body, &code, &error);
  if (!parsed) {
    throw MatrixError(code, "Request body is not valid JSON: " + error);
  }
  schema.validate(*parsed);
  return std::move(*parsed);
}

std::string path_param(const RequestContext& ctx, std::size_t index, std::string_view name,
                       FormatMask formats, std::string_view pattern) {
  if (index >= ctx.path_params.size()) {
    throw MatrixError(ErrCode::internal, "Path parameter " + std::string(name) + " was not extracted");
  }
  const std::string& value = ctx.path_params[index];
  if (!core::is_valid_utf8(value) || !has_format(value, formats) ||
      (!pattern.empty() && !matches_pattern(value, pattern))) {
    throw MatrixError(ErrCode::invalid_param, "Path parameter " + std::string(name) + " is malformed");
  }
  return value;
}

std::optional<std::string> query_string(const RequestContext& ctx, std::string_view name, bool required,
                                        FormatMask formats, std::initializer_list<std::string_view> allowed,
                                        std::string_view pattern) {
  const std::string* value = find_required_query(ctx, name, required);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!has_format(*value, formats) || (!pattern.empty() && !matches_pattern(*value, pattern))) {
    invalid_query(name, "is malformed");
  }
  if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    invalid_query(name, "has a value that is not allowed");
  }
  return *value;
}

std::optional<std::int64_t> query_int(const RequestContext& ctx, std::string_view name, bool required) {
  const std::string* value = find_required_query(ctx, name, required);
  if (value == nullptr) {
    return std::nullopt;
  }
  std::int64_t out = 0;
  const auto* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, out);
  if (value->empty() || ec != std::errc() || ptr != end) {
    invalid_query(name, "must be an integer");
  }
  return out;
}

std::optional<double> query_number(const RequestContext& ctx, std::string_view name, bool required) {
  const std::string* value = find_required_query(ctx, name, required);
  if (value == nullptr) {
    return std::nullopt;
  }
  double out = 0;
  const auto* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, out);
  if (value->empty() || ec != std::errc() || ptr != end || !std::isfinite(out)) {
    invalid_query(name, "must be a number");
  }
  return out;
}

std::optional<bool> query_bool(const RequestContext& ctx, std::string_view name, bool required) {
  const std::string* value = find_required_query(ctx, name, required);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (*value == "true") {
    return true;
  }
  if (*value == "false") {
    return false;
  }
  invalid_query(name, "must be true or false");
}

std::vector<std::string> query_array(const RequestContext& ctx, std::string_view name, bool required,
                                     FormatMask formats) {
  std::vector<std::string> out;
  for (const auto& [key, value] : ctx.query) {
    if (key != name) {
      continue;
    }
    if (!core::is_valid_utf8(value) || !has_format(value, formats)) {
      invalid_query(name, "has a malformed value");
    }
    out.push_back(value);
  }
  if (out.empty() && required) {
    throw MatrixError(ErrCode::missing_param, "Missing query parameter " + std::string(name));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> query_rest(const RequestContext& ctx,
                                                            std::initializer_list<std::string_view> declared) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : ctx.query) {
    if (key == "access_token" || std::find(declared.begin(), declared.end(), key) != declared.end()) {
      continue;
    }
    if (!core::is_valid_utf8(key) || !core::is_valid_utf8(value)) {
      invalid_query(key, "is not UTF-8");
    }
    out.emplace_back(key, value);
  }
  return out;
}

std::optional<std::string> body_string(const json& body, std::string_view key) {
  const json* v = find_key(body, key);
  return v != nullptr && v->is_string() ? std::optional(v->get<std::string>()) : std::nullopt;
}

std::optional<std::int64_t> body_int(const json& body, std::string_view key) {
  const json* v = find_key(body, key);
  return v != nullptr && fits_int64(*v) ? std::optional(v->get<std::int64_t>()) : std::nullopt;
}

std::optional<double> body_number(const json& body, std::string_view key) {
  const json* v = find_key(body, key);
  return v != nullptr && v->is_number() ? std::optional(v->get<double>()) : std::nullopt;
}

std::optional<bool> body_bool(const json& body, std::string_view key) {
  const json* v = find_key(body, key);
  return v != nullptr && v->is_boolean() ? std::optional(v->get<bool>()) : std::nullopt;
}

std::optional<json> body_json(const json& body, std::string_view key) {
  const json* v = find_key(body, key);
  return v != nullptr ? std::optional(*v) : std::nullopt;
}

ApiResponse invoke_shared_route(RequestContext& ctx, std::span<const RouteCandidate> candidates) {
  // Keys the request carries, to prefer the operation that declares all of them.
  std::vector<std::string> present;
  for (const auto& [key, value] : ctx.query) {
    if (key != "access_token") {
      present.push_back(key);
    }
  }
  if (auto body = parse_request_json(ctx.request.body, nullptr, nullptr); body && body->is_object()) {
    for (const auto& [key, value] : body->items()) {
      present.push_back(key);
    }
  }
  auto declares_all = [&](const RouteCandidate& c) {
    return std::all_of(present.begin(), present.end(), [&](const std::string& key) {
      auto in = [&](std::span<const std::string_view> names) {
        return std::find(names.begin(), names.end(), key) != names.end();
      };
      return in(c.query_names) || in(c.body_names);
    });
  };
  const RouteCandidate* fallback = nullptr;
  std::optional<MatrixError> first_error;
  for (const auto& c : candidates) {
    if (!c.has_handler()) {
      continue;
    }
    try {
      c.check(ctx);
    } catch (const MatrixError& e) {
      if (!first_error) {
        first_error = e;
      }
      continue;
    }
    if (declares_all(c)) {
      return c.invoke(ctx);
    }
    if (fallback == nullptr) {
      fallback = &c;
    }
  }
  if (fallback != nullptr) {
    return fallback->invoke(ctx);
  }
  if (first_error) {
    throw *first_error;
  }
  throw MatrixError(ErrCode::unrecognized, "Unrecognized request");
}

}  // namespace ranvier::api::validation
