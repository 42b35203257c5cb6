#include "api/router.hpp"

#include "core/percent_encoding.hpp"
#include "core/utf8.hpp"

#include <algorithm>

namespace ranvier::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) {
    path.remove_prefix(1);
  }
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

bool is_param(std::string_view segment) { return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}'; }

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  auto out = core::percent_decode(text, plus_is_space);
  if (!out || !core::is_valid_utf8(*out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    auto eq = part.find('=');
    auto key = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (!key || !value) {
      return std::nullopt;
    }
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

Router::Router(std::span<const Operation> operations) {
  routes_.reserve(operations.size());
  for (const auto& op : operations) {
    Route r{&op, {}, 0};
    for (auto seg : split_path(op.path)) {
      r.segments.emplace_back(seg);
      r.literal_count += is_param(seg) ? 0 : 1;
    }
    routes_.push_back(std::move(r));
  }
}

RouteMatch Router::match(std::string_view method, std::string_view raw_path) const {
  RouteMatch result;
  const auto segments = split_path(raw_path);
  const Route* best = nullptr;
  const Route* best_any_method = nullptr;
  for (const auto& route : routes_) {
    // `.../state/{eventType}` without the trailing slash means the empty state key, as Synapse
    // and clients have it.
    const bool key_omitted = route.segments.size() == segments.size() + 1 && route.segments.back() == "{stateKey}";
    if (route.segments.size() != segments.size() && !key_omitted) {
      continue;
    }
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const auto& want = route.segments[i];
      if (is_param(want)) {
        // Only the last parameter may be empty (e.g. an empty state key).
        ok = !segments[i].empty() || i + 1 == segments.size();
      } else {
        ok = want == segments[i];
      }
    }
    if (!ok) {
      continue;
    }
    if (!best_any_method || route.literal_count > best_any_method->literal_count) {
      best_any_method = &route;
    }
    if (route.operation->method == method && (!best || route.literal_count > best->literal_count)) {
      best = &route;
    }
  }
  if (!best) {
    if (!best_any_method) {
      return result;
    }
    result.kind = RouteMatch::Kind::wrong_method;
    for (const auto& route : routes_) {
      if (route.segments == best_any_method->segments) {
        result.allowed_methods.push_back(route.operation->method);
      }
    }
    return result;
  }
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    if (i == segments.size()) {
      result.params.emplace_back();  // the omitted state key
      break;
    }
    if (is_param(best->segments[i])) {
      auto decoded = percent_decode(segments[i]);
      if (!decoded) {
        result.kind = RouteMatch::Kind::bad_encoding;
        return result;
      }
      result.params.push_back(std::move(*decoded));
    }
  }
  result.kind = RouteMatch::Kind::found;
  result.operation = best->operation;
  return result;
}

}  // namespace ranvier::api
