#pragma once
// Glob patterns of push rules (spec appendix "Glob-style matching"): `*` matches any run of
// characters (possibly empty), `?` exactly one character; everything else is literal. Matching is
// case-insensitive (ASCII case folding, which the spec leaves to the implementation).

#include <string>
#include <string_view>

namespace ranvier::push {

/// How much of the value a pattern must cover.
enum class GlobScope {
  whole_value,    ///< the entire value (event_match on any key but content.body)
  word_boundary,  ///< any substring that starts and ends at a word boundary (content.body)
};

/// A glob compiled once (lower-cased, wildcard-free patterns flagged) and matched many times.
class Glob {
 public:
  /// Compiles `pattern`; every string is a valid glob, so this cannot fail.
  explicit Glob(std::string_view pattern);

  /// True if the pattern matches `value` within `scope`.
  bool matches(std::string_view value, GlobScope scope) const;

  /// The pattern as given (for rendering the rule back to JSON).
  const std::string& pattern() const { return original_; }

 private:
  std::string original_;
  std::string folded_;  // lower-cased pattern
  bool literal_ = true;  // no `*` or `?`: plain comparison suffices
};

/// True if `needle` occurs in `haystack` case-insensitively, starting and ending at word
/// boundaries (used for the display-name condition, where the name is literal, not a glob).
bool contains_word(std::string_view haystack, std::string_view needle);

}  // namespace ranvier::push
