#pragma once
// Dot-separated property paths (spec appendix "Dot-separated property paths"): `.` separates
// keys, `\.` is a literal dot, `\\` a literal backslash, any other backslash is itself.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ranvier::push {

/// A path split into its unescaped keys, e.g. `content.m\.relates_to.rel_type` →
/// {"content", "m.relates_to", "rel_type"}.
using PropertyPath = std::vector<std::string>;

/// Splits and unescapes a dotted key. Never fails: every string names some path.
PropertyPath parse_property_path(std::string_view dotted);

/// The value at `path` inside `event`, or nullptr when a step is missing or not an object.
const nlohmann::json* find_property(const nlohmann::json& event, const PropertyPath& path);

}  // namespace ranvier::push
