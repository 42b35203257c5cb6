#pragma once
// JSON Schema `pattern`s (ECMAScript regular expressions, searched rather than anchored).
// Kept apart from validation.cpp so that only this file pays for <regex>.

#include <memory>
#include <string_view>

namespace ranvier::api::validation {

/// A compiled pattern. The spec's common form `^<literal>` (`^@`, `^!`, …) is matched without
/// a regex engine; a pattern std::regex cannot compile matches everything.
class Pattern {
 public:
  explicit Pattern(std::string_view source);
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  /// True if `value` contains a match (JSON Schema semantics).
  bool matches(std::string_view value) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// matches() against a pattern compiled once and cached for the life of the process
/// (thread-safe; patterns come from the generated code, so the cache stays small).
bool matches_pattern(std::string_view value, std::string_view pattern);

}  // namespace ranvier::api::validation
