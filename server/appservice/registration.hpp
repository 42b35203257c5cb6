#pragma once
// An application service's registration file (application service API, "Registration"), as
// the operator installs it with config `app_services:`. Only the homeserver reads it; the
// tokens in it are secrets shared with the service.

#include "appservice/pattern.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::appservice {

/// One entry of `namespaces.users|aliases|rooms`.
struct Namespace {
  bool exclusive = false;
  NamespacePattern regex;
};

/// What one registration file says.
struct Registration {
  std::string id;
  /// Where the service listens; nullopt (`url: null`) for a service that only calls us.
  std::optional<std::string> url;
  std::string as_token;
  std::string hs_token;
  std::string sender_localpart;
  std::vector<Namespace> users;
  std::vector<Namespace> aliases;
  std::vector<Namespace> rooms;
  /// Whether requests made with its token are rate limited (default true, as Synapse).
  bool rate_limited = true;
  /// Third-party protocols it bridges (GET /thirdparty/protocols).
  std::vector<std::string> protocols;
  /// Whether it wants ephemeral events (MSC2409); parsed, not yet acted on.
  bool receive_ephemeral = false;
  /// The file it came from, for messages.
  std::string source;
};

/// A registration that cannot be used; `what()` names the file and the key.
class RegistrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses one registration's YAML text. `source` names it in errors. Unknown keys are allowed
/// (bridges write their own extensions into the file).
Registration parse_registration(const std::string& yaml_text, const std::string& source);

/// Reads and parses a registration file.
Registration load_registration(const std::filesystem::path& file);

/// True if one of `namespaces` matches `value`; with `exclusive_only`, only exclusive ones.
bool namespaces_match(const std::vector<Namespace>& namespaces, std::string_view value, bool exclusive_only = false);

}  // namespace ranvier::appservice
