#pragma once
// Sets of values passed to SQL as one parameter: a JSON array text. Both engines open it in
// SQL (json_each / jsonb_array_elements), so a statement stays prepared whatever the set size.

#include "storage/state.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace ranvier::storage::sql {

/// `["a","b"]`, strings escaped as JSON requires.
std::string json_array(std::span<const std::string> values);

/// `[1,2]`.
std::string json_array(std::span<const std::int64_t> values);

/// `[["m.room.member","@a:x"],...]`.
std::string json_array(std::span<const StateKey> keys);

/// `[[1,2],[3,null]]`: pairs whose second member may be missing.
std::string json_array(std::span<const std::pair<std::int64_t, std::optional<std::int64_t>>> pairs);

}  // namespace ranvier::storage::sql
