#include "push/glob.hpp"

#include <cstddef>

namespace ranvier::push {
namespace {

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The spec's word characters: [A-Za-z0-9_]. Everything else (including non-ASCII) separates words.
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the UTF-8 sequence starting at value[i], so `?` consumes one character, not one byte.
// Malformed bytes count as one character each.
std::size_t char_length(std::string_view value, std::size_t i) {
  const auto lead = static_cast<unsigned char>(value[i]);
  std::size_t n = 1;
  if (lead >= 0xF0) {
    n = 4;
  } else if (lead >= 0xE0) {
    n = 3;
  } else if (lead >= 0xC0) {
    n = 2;
  }
  if (i + n > value.size()) {
    return 1;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(value[i + k]) & 0xC0) != 0x80) {
      return 1;
    }
  }
  return n;
}

bool at_word_end(std::string_view value, std::size_t pos) {
  return pos == value.size() || !is_word_char(value[pos]);
}

bool at_word_start(std::string_view value, std::size_t pos) {
  return pos == 0 || !is_word_char(value[pos - 1]);
}

// Matches the folded pattern against value[start..] and succeeds when the pattern is used up at a
// position accepted by `is_end`. Iterative with one backtrack point (the latest `*`): the end test
// depends only on the final position, so extending the latest star is always sufficient.
template <class EndTest>
bool match_from(std::string_view pattern, std::string_view value, std::size_t start,
                EndTest is_end) {
  std::size_t p = 0;
  std::size_t v = start;
  std::size_t star_p = std::string_view::npos;
  std::size_t star_v = 0;
  while (true) {
    if (p == pattern.size() && is_end(v)) {
      return true;
    }
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_v = v;
      continue;
    }
    if (p < pattern.size() && v < value.size()) {
      if (pattern[p] == '?') {
        v += char_length(value, v);
        ++p;
        continue;
      }
      if (pattern[p] == fold(value[v])) {
        ++p;
        ++v;
        continue;
      }
    }
    if (star_p == std::string_view::npos || star_v >= value.size()) {
      return false;
    }
    star_v += char_length(value, star_v);
    v = star_v;
    p = star_p + 1;
  }
}

bool equals_folded(std::string_view folded, std::string_view value) {
  if (folded.size() != value.size()) {
    return false;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (folded[i] != fold(value[i])) {
      return false;
    }
  }
  return true;
}

std::string fold_all(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = fold(c);
  }
  return out;
}

bool search_words(std::string_view pattern, std::string_view value) {
  // A literal first character rules out most starting points without entering the matcher.
  const bool literal_first = !pattern.empty() && pattern[0] != '*' && pattern[0] != '?';
  for (std::size_t start = 0; start <= value.size(); ++start) {
    if (literal_first && (start == value.size() || fold(value[start]) != pattern[0])) {
      continue;
    }
    if (!at_word_start(value, start)) {
      continue;
    }
    if (match_from(pattern, value, start, [&](std::size_t pos) { return at_word_end(value, pos); })) {
      return true;
    }
  }
  return false;
}

}  // namespace

Glob::Glob(std::string_view pattern) : original_(pattern), folded_(fold_all(pattern)) {
  literal_ = folded_.find_first_of("*?") == std::string::npos;
}

bool Glob::matches(std::string_view value, GlobScope scope) const {
  if (scope == GlobScope::whole_value) {
    if (literal_) {
      return equals_folded(folded_, value);
    }
    return match_from(folded_, value, 0, [&](std::size_t pos) { return pos == value.size(); });
  }
  return search_words(folded_, value);
}

bool contains_word(std::string_view haystack, std::string_view needle) {
  if (needle.empty() || needle.size() > haystack.size()) {
    return false;
  }
  const std::string folded = fold_all(needle);
  for (std::size_t start = 0; start + needle.size() <= haystack.size(); ++start) {
    if (at_word_start(haystack, start) && at_word_end(haystack, start + needle.size()) &&
        equals_folded(folded, haystack.substr(start, needle.size()))) {
      return true;
    }
  }
  return false;
}

}  // namespace ranvier::push
