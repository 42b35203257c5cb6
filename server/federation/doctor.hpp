#pragma once
// `ranvier doctor`: checks a server name from the outside, the way another homeserver would
// reach it — discovery (through the same ServerResolver the server uses), the connection, the
// TLS certificate, the published keys, the federation API — and the client discovery document.
// Each check is a function in doctor_checks; this file runs them in order.

#include "federation/doctor_http.hpp"
#include "federation/doctor_report.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

namespace ranvier::federation::doctor {

struct Options {
  /// Extra trusted CAs (PEM), besides the system store, as `federation.ca_file` does.
  std::filesystem::path ca_file;
  /// Where TCP goes instead, per host and port (names, SNI and Host stay as they were).
  std::vector<ConnectTo> connect_to;
  /// For each connection and each request.
  std::chrono::milliseconds timeout{10'000};
  /// Milliseconds since the epoch; the system clock when empty.
  std::function<std::int64_t()> now_ms;
};

/// Runs every check against `server_name` (which must be a valid server name). Throws
/// http::ClientSetupError when the CA file cannot be loaded.
Report run(std::string_view server_name, const Options& options);

}  // namespace ranvier::federation::doctor
