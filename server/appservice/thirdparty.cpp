#include "appservice/thirdparty.hpp"

#include "core/percent_encoding.hpp"

#include <algorithm>
#include <set>

namespace ranvier::appservice {
namespace {

bool declares(const Registration& service, std::string_view protocol) {
  return service.url && std::find(service.protocols.begin(), service.protocols.end(), protocol) != service.protocols.end();
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    out += out.empty() ? "?" : "&";
    out += core::percent_encode(key) + "=" + core::percent_encode(value);
  }
  return out;
}

/// The JSON a service answered with 200, or discarded (null).
nlohmann::json answer_of(const Registration& service, const Caller& caller, const std::string& path) {
  const auto outcome = caller(service, "GET", path, "");
  return outcome.ok() ? nlohmann::json::parse(outcome.body, nullptr, false) : nlohmann::json();
}

}  // namespace

std::optional<nlohmann::json> protocol_metadata(const Registry& registry, const Caller& caller,
                                                std::string_view protocol) {
  std::optional<nlohmann::json> merged;
  const auto path = "/_matrix/app/v1/thirdparty/protocol/" + core::percent_encode(protocol);
  for (const auto& service : registry.all()) {
    if (!declares(service, protocol)) {
      continue;
    }
    auto answer = answer_of(service, caller, path);
    if (!answer.is_object()) {
      continue;
    }
    auto instances = answer.contains("instances") && answer["instances"].is_array() ? answer["instances"]
                                                                                      : nlohmann::json::array();
    if (!merged) {
      merged = std::move(answer);
      (*merged)["instances"] = nlohmann::json::array();
    }
    for (auto& instance : instances) {
      if (instance.is_object()) {
        (*merged)["instances"].push_back(std::move(instance));
      }
    }
  }
  return merged;
}

nlohmann::json all_protocols(const Registry& registry, const Caller& caller) {
  std::set<std::string> names;
  for (const auto& service : registry.all()) {
    if (service.url) {
      names.insert(service.protocols.begin(), service.protocols.end());
    }
  }
  auto out = nlohmann::json::object();
  for (const auto& name : names) {
    if (auto metadata = protocol_metadata(registry, caller, name)) {
      out[name] = std::move(*metadata);
    }
  }
  return out;
}

nlohmann::json lookup(const Registry& registry, const Caller& caller, std::string_view kind,
                      std::optional<std::string_view> protocol,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string path = "/_matrix/app/v1/thirdparty/" + std::string(kind);
  if (protocol) {
    path += "/" + core::percent_encode(*protocol);
  }
  path += query_string(fields);
  auto out = nlohmann::json::array();
  for (const auto& service : registry.all()) {
    const bool asked = protocol ? declares(service, *protocol) : service.url && !service.protocols.empty();
    if (!asked) {
      continue;
    }
    auto answer = answer_of(service, caller, path);
    if (!answer.is_array()) {
      continue;
    }
    for (auto& item : answer) {
      if (item.is_object()) {
        out.push_back(std::move(item));
      }
    }
  }
  return out;
}

}  // namespace ranvier::appservice
