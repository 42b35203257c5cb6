#pragma once
// How `ranvier admin` reaches the admin API (api/admin/). Two ways, one set of handlers:
//
//  - in-process: the handlers run inside this command, on its own Services (storage, event
//    pipeline, notifier; no listeners), as a built-in admin principal. Used for everything
//    when no server runs, and always for pure account operations (users, passwords, admin
//    flags, tokens, listings), which only touch rows in transactions.
//  - HTTP: operations that produce events (deactivation leaves, room shutdown) or delete them
//    (purges) go to the running server's own API when it answers on its client listener, so
//    they run next to its in-memory state (the /sync notifier that must wake, the parsed
//    event cache, the federation sender's wake-ups) instead of beside it. The command mints a
//    short-lived token for the admin account `@ranvier-admin:<server>` (created on first use,
//    no password) on a throw-away device, and deletes the device afterwards.

#include "api/http_types.hpp"
#include "config/config.hpp"

#include <memory>
#include <string>

namespace ranvier::app {

/// An admin API answer: HTTP status and JSON body text.
struct AdminAnswer {
  int status = 0;
  std::string body;
};

class AdminTransport {
 public:
  /// `prefer_server`: try the running server first (event-producing operations).
  AdminTransport(const config::Config& config, bool prefer_server);
  ~AdminTransport();
  AdminTransport(const AdminTransport&) = delete;
  AdminTransport& operator=(const AdminTransport&) = delete;

  /// Sends one admin API request (path with query, JSON body or empty).
  AdminAnswer call(const std::string& method, const std::string& target, const std::string& body = "");

  /// Runs one admin API request in this process whatever the mode (reads and pure account
  /// operations).
  AdminAnswer call_in_process(const std::string& method, const std::string& target, const std::string& body = "");

  /// "the running server" or "in-process", for the command's output.
  std::string mode() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The admin account `ranvier admin` acts as: `@ranvier-admin:<server_name>`.
std::string cli_admin_user(const config::Config& config);

}  // namespace ranvier::app
