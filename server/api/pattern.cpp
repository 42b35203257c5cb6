#include "api/pattern.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>

namespace ranvier::api::validation {
namespace {

constexpr std::string_view regex_syntax = "\\^$.|?*+()[]{}";

// The literal after `^` when the whole pattern is `^literal` (escaped characters allowed).
std::optional<std::string> anchored_literal(std::string_view source) {
  if (!source.starts_with('^')) {
    return std::nullopt;
  }
  std::string literal;
  for (std::size_t i = 1; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\\' && i + 1 < source.size() && regex_syntax.find(source[i + 1]) != std::string_view::npos) {
      literal.push_back(source[++i]);
    } else if (regex_syntax.find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      literal.push_back(c);
    }
  }
  return literal;
}

}  // namespace

struct Pattern::Impl {
  std::optional<std::string> prefix;
  std::optional<std::regex> re;  // unset with prefix unset: uncompilable, matches everything
};

Pattern::Pattern(std::string_view source) : impl_(std::make_unique<Impl>()) {
  impl_->prefix = anchored_literal(source);
  if (impl_->prefix) {
    return;
  }
  try {
    impl_->re.emplace(std::string(source), std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    impl_->re.reset();
  }
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::matches(std::string_view value) const {
  if (impl_->prefix) {
    return value.starts_with(*impl_->prefix);
  }
  return !impl_->re || std::regex_search(value.begin(), value.end(), *impl_->re);
}

bool matches_pattern(std::string_view value, std::string_view pattern) {
  static std::mutex mutex;
  static std::map<std::string, Pattern, std::less<>> cache;
  const Pattern* compiled = nullptr;
  {
    std::lock_guard lock(mutex);
    auto it = cache.find(pattern);
    if (it == cache.end()) {
      it = cache.emplace(std::string(pattern), Pattern(pattern)).first;
    }
    compiled = &it->second;  // map nodes are stable and never erased
  }
  return compiled->matches(value);
}

}  // namespace ranvier::api::validation
