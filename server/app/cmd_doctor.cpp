// `ranvier doctor`: checks a server name the way another homeserver would see it (delegation,
// connection, TLS certificate, published keys, federation API) and its client discovery
// document, printing PASS/WARN/FAIL per check with the fix for each problem.
// Exit status: 0 all passed (warnings allowed), 1 a check failed, 2 usage error.

#include "app/args.hpp"
#include "app/commands.hpp"
#include "core/identifiers.hpp"
#include "federation/doctor.hpp"
#include "http/client.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <iostream>
#include <string>
#include <vector>

namespace ranvier::app {
namespace {

constexpr std::string_view command = "ranvier doctor";

/// Takes every `--connect-to X` / `--connect-to=X` out of argv (Args keeps one value per
/// option; this one repeats, as curl's does). Returns false on a missing value.
bool take_connect_to(int& argc, char** argv, std::vector<std::string>& values) {
  int kept = 0;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--connect-to") {
      if (i + 1 >= argc) {
        return false;
      }
      values.emplace_back(argv[++i]);
    } else if (arg.starts_with("--connect-to=")) {
      values.emplace_back(arg.substr(std::string_view("--connect-to=").size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return true;
}

}  // namespace

int run_doctor(int argc, char** argv) {
  Args args("doctor", "Checks SERVER_NAME from the outside as a remote homeserver would: delegation\n"
                      "(.well-known, SRV, port 8448), connection, TLS certificate and name, the\n"
                      "published signing keys, the federation API, and client discovery.\n"
                      "Exit status: 0 all checks passed (warnings allowed), 1 a check failed, 2 usage.");
  args.option("server-name", "the server name to check, e.g. example.org (also accepted as the first argument)")
      .option("ca-file", "PEM file of CAs trusted besides the system store (like federation.ca_file)")
      .option("connect-to",
              "NAME:PORT:HOST:PORT: connect to HOST:PORT when NAME:PORT is meant, keeping the names, SNI and "
              "Host (repeatable, like curl's)")
      .option("timeout", "seconds allowed for each connection and request (default 10)")
      .flag("json", "print the report as JSON");
  std::string server_name;
  if (argc > 0 && !std::string_view(argv[0]).starts_with("-")) {
    server_name = argv[0];
    --argc;
    ++argv;
  }
  std::vector<std::string> connect_to_values;
  if (!take_connect_to(argc, argv, connect_to_values)) {
    std::cerr << command << ": --connect-to needs a value\n";
    return 2;
  }
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  if (args.has("server-name")) {
    if (!server_name.empty()) {
      std::cerr << command << ": give the server name once\n";
      return 2;
    }
    server_name = args.value("server-name");
  }
  if (server_name.empty()) {
    std::cerr << command << ": which server? (ranvier doctor example.org)\n\n" << args.help();
    return 2;
  }
  if (!core::is_valid_server_name(server_name)) {
    std::cerr << command << ": '" << server_name
              << "' is not a server name (a host name or IP literal with an optional port)\n";
    return 2;
  }

  federation::doctor::Options options;
  options.ca_file = args.value("ca-file");
  for (const auto& value : connect_to_values) {
    auto rule = federation::doctor::parse_connect_to(value);
    if (!rule) {
      std::cerr << command << ": " << rule.error() << "\n";
      return 2;
    }
    options.connect_to.push_back(std::move(*rule));
  }
  if (args.has("timeout")) {
    const auto text = args.value("timeout");
    int seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds <= 0 || seconds > 3600) {
      std::cerr << command << ": --timeout wants whole seconds from 1 to 3600\n";
      return 2;
    }
    options.timeout = std::chrono::seconds(seconds);
  }

  try {
    const auto report = federation::doctor::run(server_name, options);
    if (args.has("json")) {
      std::cout << federation::doctor::render_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    } else {
      std::cout << federation::doctor::render_text(report);
    }
    return federation::doctor::exit_code(report);
  } catch (const http::ClientSetupError& e) {
    std::cerr << command << ": " << e.what() << "\n";
    return 2;
  }
}

}  // namespace ranvier::app
