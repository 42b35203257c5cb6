#pragma once
// Finds the operation for a method and path in the generated table.

#include "api/operation.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::api {

/// Outcome of routing one request.
struct RouteMatch {
  enum class Kind { found, no_such_path, wrong_method, bad_encoding };
  Kind kind = Kind::no_such_path;
  const Operation* operation = nullptr;
  /// Percent-decoded path parameters in template order.
  std::vector<std::string> params;
  /// For wrong_method: the methods the path does accept (for the Allow header).
  std::vector<std::string_view> allowed_methods;
};

/// Matches paths against every operation's template. Literal segments beat parameters, so
/// `/rooms/{roomId}/members` and a hypothetical literal sibling never shadow each other.
class Router {
 public:
  explicit Router(std::span<const Operation> operations);
  RouteMatch match(std::string_view method, std::string_view raw_path) const;

 private:
  struct Route {
    const Operation* operation;
    std::vector<std::string> segments;  ///< "{name}" marks a parameter
    std::size_t literal_count;
  };
  std::vector<Route> routes_;
};

/// Decodes %XX escapes into text; nullopt for a malformed escape or invalid UTF-8 in the result.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// Splits a query string into decoded key/value pairs; nullopt on bad encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

}  // namespace ranvier::api
