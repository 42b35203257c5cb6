#pragma once
// The regular expressions of a registration's namespaces (application service API,
// "Registration": `namespaces.*.regex`). PCRE2 rather than std::regex: its match limit keeps a
// pathological pattern from hanging or overflowing the stack on a user ID, and its syntax is
// the Perl/Python one bridge authors write their patterns in.

#include "core/expected.hpp"

#include <memory>
#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace ranvier::appservice {

/// A compiled namespace regex. Copies share the compiled code (read-only, thread-safe).
class NamespacePattern {
 public:
  /// Compiles `regex` (UTF-8); the error names the problem and its offset.
  static core::Expected<NamespacePattern, std::string> compile(std::string_view regex);

  /// True if the pattern matches `subject` from its first character on, as Synapse and the
  /// bridges written for it expect (`@irc_.*` matches `@irc_bob:example.org`). A match that
  /// exceeds the engine's work limit counts as no match.
  bool matches(std::string_view subject) const;

  /// The pattern as written in the registration.
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::shared_ptr<pcre2_real_code_8> code_;
};

}  // namespace ranvier::appservice
