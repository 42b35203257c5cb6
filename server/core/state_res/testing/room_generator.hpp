#pragma once
// Generates plausible room DAGs (joins, invites, kicks, bans, power changes, join-rule changes,
// forks and merges) for property tests, fuzzing and benchmarks. Every event passes the auth
// rules against the state of the branch it extends, so the DAG is one a real room could have.

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/auth/memory_event_store.hpp"
#include "core/room_version.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res::testing {

/// Where the generator's choices come from.
class Chooser {
 public:
  virtual ~Chooser() = default;
  /// A value in [0, bound); bound ≥ 1.
  virtual std::uint32_t next(std::uint32_t bound) = 0;
  /// True once the source has nothing more to give (generation then stops).
  virtual bool exhausted() const { return false; }
};

/// Choices from a 64-bit linear congruential generator (deterministic per seed).
class SeededChooser final : public Chooser {
 public:
  explicit SeededChooser(std::uint64_t seed) : state_(seed * 2862933555777941757ULL + 3037000493ULL) {}
  std::uint32_t next(std::uint32_t bound) override;

 private:
  std::uint64_t state_;
};

/// Choices read from a byte string (fuzzer input); exhausted at its end.
class ByteChooser final : public Chooser {
 public:
  explicit ByteChooser(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint32_t next(std::uint32_t bound) override;
  bool exhausted() const override { return position_ >= bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

/// Size limits for a generated room.
struct GeneratorLimits {
  std::uint32_t users = 8;        ///< Distinct users (user 0 creates the room).
  std::uint32_t events = 60;      ///< Events to attempt after the room's bootstrap.
  std::uint32_t max_branches = 4; ///< Concurrent forks.
  bool merges = true;             ///< Whether branches are merged (by resolving their states).
};

/// A generated room: its events and the state at the tip of each branch.
struct GeneratedRoom {
  const core::RoomVersion* version = nullptr;
  auth::MemoryEventStore store;
  std::vector<StateMap> states;
  std::vector<std::string> event_ids;  ///< In creation order.
};

/// Builds a room in `version` driven by `chooser`.
GeneratedRoom generate_room(const core::RoomVersion& version, Chooser& chooser, const GeneratorLimits& limits);

/// Every event the states name, plus their auth chains (what a resolution may draw from).
std::set<std::string> events_and_auth_chains(const std::vector<StateMap>& states, const auth::EventStore& store);

}  // namespace ranvier::state_res::testing
