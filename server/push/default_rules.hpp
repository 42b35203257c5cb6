#pragma once
// The server-default push rules of Matrix v1.19, built for one user.

#include <nlohmann/json.hpp>

#include <string_view>

namespace ranvier::push {

/// The default rules for `user_id` in the wire format and the spec's order:
/// `{"override": [...], "content": [], "room": [], "sender": [], "underride": [...]}`.
/// v1.19 has no default content rules: the legacy mention rules (`.m.rule.contains_user_name`,
/// `.m.rule.contains_display_name`, `.m.rule.roomnotif`) were removed by MSC4210 (v1.16).
nlohmann::json default_rules_json(std::string_view user_id);

}  // namespace ranvier::push
