#pragma once
// Wall-clock time as Matrix uses it: milliseconds since the Unix epoch.

#include <chrono>
#include <cstdint>

namespace ranvier::api {

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace ranvier::api
