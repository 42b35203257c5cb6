#include "appservice/registration.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace ranvier::appservice {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& problem) {
  throw RegistrationError(source + ": " + key + ": " + problem);
}

/// A scalar that must be present and a non-empty string.
std::string required_string(const YAML::Node& top, const std::string& key, const std::string& source) {
  const auto node = top[key];
  if (!node || node.IsNull()) {
    fail(source, key, "missing");
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    fail(source, key, "expected a non-empty string");
  }
  return node.Scalar();
}

/// A boolean; YAML strings "true"/"false" count too (SyTest quotes them).
bool boolean(const YAML::Node& node, const std::string& key, const std::string& source, bool fallback) {
  if (!node || node.IsNull()) {
    return fallback;
  }
  if (node.IsScalar()) {
    const auto& text = node.Scalar();
    if (text == "true" || text == "True") {
      return true;
    }
    if (text == "false" || text == "False") {
      return false;
    }
  }
  fail(source, key, "expected true or false");
}

std::vector<Namespace> namespace_list(const YAML::Node& namespaces, const std::string& kind,
                                      const std::string& source) {
  std::vector<Namespace> out;
  const auto list = namespaces ? namespaces[kind] : YAML::Node();
  const std::string key = "namespaces." + kind;
  if (!list || list.IsNull()) {
    return out;
  }
  if (!list.IsSequence()) {
    fail(source, key, "expected a list of {exclusive, regex}");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto entry = list[i];
    const std::string entry_key = key + "[" + std::to_string(i) + "]";
    if (!entry.IsMap()) {
      fail(source, entry_key, "expected a mapping with exclusive and regex");
    }
    const auto regex_node = entry["regex"];
    if (!regex_node || !regex_node.IsScalar() || regex_node.Scalar().empty()) {
      fail(source, entry_key + ".regex", "expected a non-empty regular expression");
    }
    auto compiled = NamespacePattern::compile(regex_node.Scalar());
    if (!compiled) {
      fail(source, entry_key + ".regex", "invalid regular expression '" + regex_node.Scalar() + "': " + compiled.error());
    }
    out.push_back(Namespace{boolean(entry["exclusive"], entry_key + ".exclusive", source, false), std::move(*compiled)});
  }
  return out;
}

}  // namespace

Registration parse_registration(const std::string& yaml_text, const std::string& source) {
  YAML::Node top;
  try {
    top = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw RegistrationError(source + ": not valid YAML: " + e.what());
  }
  if (!top.IsMap()) {
    throw RegistrationError(source + ": expected a mapping (id, url, as_token, hs_token, …)");
  }
  try {
    Registration r;
    r.source = source;
    r.id = required_string(top, "id", source);
    if (const auto url = top["url"]; url && !url.IsNull()) {
      if (!url.IsScalar()) {
        fail(source, "url", "expected a URL or null");
      }
      const auto& text = url.Scalar();
      if (!text.starts_with("http://") && !text.starts_with("https://")) {
        fail(source, "url", "expected an http:// or https:// URL or null, got '" + text + "'");
      }
      r.url = text;
    }
    r.as_token = required_string(top, "as_token", source);
    r.hs_token = required_string(top, "hs_token", source);
    r.sender_localpart = required_string(top, "sender_localpart", source);
    const auto namespaces = top["namespaces"];
    if (namespaces && !namespaces.IsNull() && !namespaces.IsMap()) {
      fail(source, "namespaces", "expected a mapping with users, aliases and rooms");
    }
    r.users = namespace_list(namespaces, "users", source);
    r.aliases = namespace_list(namespaces, "aliases", source);
    r.rooms = namespace_list(namespaces, "rooms", source);
    r.rate_limited = boolean(top["rate_limited"], "rate_limited", source, true);
    r.receive_ephemeral = boolean(top["receive_ephemeral"], "receive_ephemeral", source, false);
    if (const auto protocols = top["protocols"]; protocols && !protocols.IsNull()) {
      if (!protocols.IsSequence()) {
        fail(source, "protocols", "expected a list of protocol names");
      }
      for (const auto& p : protocols) {
        if (!p.IsScalar() || p.Scalar().empty()) {
          fail(source, "protocols", "expected a list of protocol names");
        }
        r.protocols.push_back(p.Scalar());
      }
    }
    return r;
  } catch (const YAML::Exception& e) {
    throw RegistrationError(source + ": " + e.what());
  }
}

Registration load_registration(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw RegistrationError(file.string() + ": cannot read the file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_registration(text.str(), file.string());
}

bool namespaces_match(const std::vector<Namespace>& namespaces, std::string_view value, bool exclusive_only) {
  for (const auto& ns : namespaces) {
    if ((!exclusive_only || ns.exclusive) && ns.regex.matches(value)) {
      return true;
    }
  }
  return false;
}

}  // namespace ranvier::appservice
