#include "push/fuzz_entry.hpp"

#include "push/evaluate.hpp"
#include "push/ruleset.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ranvier::push::testing {
namespace {

using nlohmann::json;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "push fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

std::int64_t integer_or(const json& input, const char* key, std::int64_t fallback) {
  const auto it = input.find(key);
  return it != input.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

std::optional<std::string_view> string_of(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return std::nullopt;
  }
  return std::string_view(it->get_ref<const std::string&>());
}

void apply_put(Ruleset& rules, const json& put) {
  const auto kind_name = string_of(put, "kind");
  const auto rule_id = string_of(put, "rule_id");
  const auto kind = kind_name ? parse_kind(*kind_name) : std::nullopt;
  if (!kind || !rule_id) {
    return;
  }
  const auto body = put.find("body");
  (void)rules.put(*kind, *rule_id, body == put.end() ? json() : *body, string_of(put, "before"),
                  string_of(put, "after"));
}

}  // namespace

void fuzz_push_rules(std::span<const std::uint8_t> data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  const json input = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!input.is_object()) {
    return;
  }
  constexpr std::string_view kUser = "@fuzz:example.org";
  const auto stored = input.find("rules");
  auto parsed = stored == input.end() ? Ruleset::defaults_for(kUser)
                                      : Ruleset::from_json(kUser, *stored);
  if (!parsed) {
    return;
  }
  Ruleset& rules = *parsed;
  if (const auto put = input.find("put"); put != input.end() && put->is_object()) {
    apply_put(rules, *put);
  }
  const json rendered = rules.to_json();
  const auto reparsed = Ruleset::from_json(kUser, rendered);
  check(reparsed.has_value(), "a rendered ruleset parses again");
  check(reparsed->to_json() == rendered, "a ruleset survives its JSON round trip");

  const auto event = input.find("event");
  if (event == input.end()) {
    return;
  }
  const json levels = input.contains("levels") ? input.at("levels") : json();
  const std::string name(string_of(input, "name").value_or(""));
  const PushContext context{.member_count = integer_or(input, "members", 2),
                            .display_name = name,
                            .sender_power_level = integer_or(input, "power", 0),
                            .notification_levels = &levels};
  const auto first = evaluate(rules, *event, context);
  const auto second = evaluate(*reparsed, *event, context);
  check(first.has_value() == second.has_value(), "evaluation is deterministic");
  if (first) {
    check(first->rule->rule_id == second->rule->rule_id && first->kind == second->kind,
          "the same rule wins after a round trip");
  }
}

}  // namespace ranvier::push::testing
