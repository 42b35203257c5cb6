#pragma once
// SQL text written once for both backends. SQLite numbers its placeholders ?1, ?2, ...;
// PostgreSQL wants $1, $2, ... Both are as wide, so the PostgreSQL text is the shared text with
// each `?` that stands before a digit turned into `$`, done at compile time.

#include <array>
#include <cstddef>
#include <string>

namespace ranvier::storage::sql {
namespace detail {

template <const char* Text>
consteval auto with_dollar_placeholders() {
  constexpr std::size_t size = std::char_traits<char>::length(Text) + 1;
  std::array<char, size> out{};
  for (std::size_t i = 0; i < size; ++i) {
    const bool placeholder = Text[i] == '?' && i + 1 < size && Text[i + 1] >= '0' && Text[i + 1] <= '9';
    out[i] = placeholder ? '$' : Text[i];
  }
  return out;
}

}  // namespace detail

/// The shared statement `Text` (placeholders ?N) with PostgreSQL's placeholders ($N); a `?`
/// not followed by a digit (inside a string literal, say) is left alone.
template <const char* Text>
inline constexpr auto dollar_placeholders = detail::with_dollar_placeholders<Text>();

}  // namespace ranvier::storage::sql
