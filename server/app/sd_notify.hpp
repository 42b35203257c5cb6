#pragma once
// The systemd readiness protocol without libsystemd: one datagram to $NOTIFY_SOCKET.
// Used by systemd (Type=notify) and by SyTest's _start_process_and_await_notify.

#include <string_view>

namespace ranvier::app {

/// Sends `state` (e.g. "READY=1") if NOTIFY_SOCKET is set; returns false if sending failed.
bool sd_notify(std::string_view state);

}  // namespace ranvier::app
