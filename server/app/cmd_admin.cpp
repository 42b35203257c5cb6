// `ranvier admin <subcommand> --config PATH ...`: server administration from the command line
// over the Synapse-compatible admin API (api/admin/), working whether the server runs or not.
// cmd_admin_transport.hpp explains which requests run in this process and which go to the
// running server. Every subcommand exits 0 on success, 1 when the server refused (unknown
// user or room, ...), 2 for bad arguments.

#include "api/password_hash.hpp"
#include "app/args.hpp"
#include "app/cmd_admin_transport.hpp"
#include "app/commands.hpp"
#include "app/config_loading.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "core/percent_encoding.hpp"
#include "storage/tokens.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <iostream>
#include <map>
#include <vector>

namespace ranvier::app {
namespace {

constexpr std::string_view usage =
    "usage: ranvier admin <subcommand> --config PATH [options]\n\n"
    "accounts (run in this process, also while the server runs):\n"
    "  create-user      create a user (--user, --password or a generated one, --admin, --displayname)\n"
    "  list-users       list users (--name, --deactivated, --no-guests, --from, --limit)\n"
    "  reset-password   set a new password; logs the user's devices out unless --keep-devices\n"
    "  make-admin       grant server admin (--user)\n"
    "  revoke-admin     revoke server admin (--user)\n"
    "  lock / unlock    lock a user out of every request but logout, or lift it (--user)\n"
    "  suspend / unsuspend  make a user read-only (no joins, messages, invites, profile\n"
    "                   changes), or lift it (--user)\n"
    "  token-create     create a registration token (as `ranvier registration-token`)\n"
    "  token-list       list registration tokens\n"
    "  token-delete     delete a registration token (--token)\n"
    "rooms (read in this process):\n"
    "  list-rooms       list rooms (--search, --order-by, --from, --limit)\n"
    "  room-details     one room: name, members, version, creator, state, forward extremities (--room)\n"
    "changes that send or delete events (through the running server when it answers):\n"
    "  deactivate       deactivate a user; --erase also removes the profile (Synapse's erasure)\n"
    "  purge-history    delete a room's messages before --event or --before-ts (ms); --delete-local\n"
    "  shutdown-room    make local users leave, block the room (--no-block to skip), purge its\n"
    "                   messages (--no-purge to skip), optionally move users to a new room\n"
    "                   (--new-room-user, --room-name, --message)\n\n"
    "`ranvier admin <subcommand> --help` lists each subcommand's options.\n";

/// An answer printed for the operator: pretty JSON on success, the Matrix error otherwise.
int report(const AdminAnswer& answer, const std::string& command) {
  const auto body = nlohmann::json::parse(answer.body, nullptr, false);
  if (answer.status >= 200 && answer.status < 300) {
    std::cout << (body.is_discarded() ? answer.body : body.dump(2)) << "\n";
    return 0;
  }
  std::cerr << "ranvier admin " << command << ": ";
  if (body.is_object() && body.contains("errcode")) {
    std::cerr << body.value("error", "") << " (" << body["errcode"].get<std::string>() << ", HTTP " << answer.status
              << ")\n";
  } else {
    std::cerr << "HTTP " << answer.status << " " << answer.body << "\n";
  }
  return 1;
}

std::string encode(const std::string& segment) { return core::percent_encode(segment); }

/// `alice` or `@alice:server` → the full user ID on this server; throws invalid_argument.
std::string user_id_of(const std::string& given, const config::Config& config) {
  if (given.starts_with("@")) {
    const auto id = core::parse_user_id(given);
    if (!id || id->server_name != config.server_name) {
      throw std::invalid_argument("--user must be a user ID on " + config.server_name);
    }
    return given;
  }
  if (!core::is_valid_user_localpart(given)) {
    throw std::invalid_argument("'" + given + "' is not a valid localpart");
  }
  return "@" + given + ":" + config.server_name;
}

std::string generated_password() { return storage::generate_token("").substr(0, 24); }

struct Command {
  std::string summary;
  std::function<void(Args&)> declare;
  std::function<int(const Args&, const config::Config&)> run;
};

/// The user must exist: checked in this process, before anything is written anywhere.
bool user_exists(AdminTransport& transport, const std::string& user_id, const std::string& command) {
  const auto answer = transport.call_in_process("GET", "/_synapse/admin/v2/users/" + encode(user_id));
  if (answer.status == 200) {
    return true;
  }
  report(answer, command);
  return false;
}

int create_user(const Args& args, const config::Config& config) {
  const auto user_id = user_id_of(args.value("user"), config);
  AdminTransport transport(config, false);
  if (transport.call_in_process("GET", "/_synapse/admin/v2/users/" + encode(user_id)).status != 404) {
    std::cerr << "ranvier admin create-user: " << user_id << " already exists\n";
    return 1;
  }
  const bool generated = !args.has("password");
  const std::string password = generated ? generated_password() : args.value("password");
  nlohmann::json body{{"password", password}, {"admin", args.has("admin")}};
  if (args.has("displayname")) {
    body["displayname"] = args.value("displayname");
  }
  const auto answer = transport.call_in_process("PUT", "/_synapse/admin/v2/users/" + encode(user_id), body.dump());
  if (answer.status != 201) {
    return report(answer, "create-user");
  }
  std::cout << "created " << user_id << (args.has("admin") ? " (admin)" : "") << "\n";
  if (generated) {
    std::cout << "password: " << password << "\n(shown once; store it now)\n";
  }
  return 0;
}

int list_users(const Args& args, const config::Config& config) {
  AdminTransport transport(config, false);
  std::string target = "/_synapse/admin/v2/users?from=" + args.get("from").value_or("0") +
                       "&limit=" + args.get("limit").value_or("100") +
                       "&deactivated=" + (args.has("deactivated") ? "true" : "false") +
                       "&guests=" + (args.has("no-guests") ? "false" : "true");
  if (args.has("name")) {
    target += "&name=" + encode(args.value("name"));
  }
  return report(transport.call_in_process("GET", target), "list-users");
}

int reset_password(const Args& args, const config::Config& config) {
  const auto user_id = user_id_of(args.value("user"), config);
  AdminTransport transport(config, false);
  if (!user_exists(transport, user_id, "reset-password")) {
    return 1;
  }
  const bool generated = !args.has("password");
  const std::string password = generated ? generated_password() : args.value("password");
  const nlohmann::json body{{"new_password", password}, {"logout_devices", !args.has("keep-devices")}};
  const auto answer =
      transport.call_in_process("POST", "/_synapse/admin/v1/reset_password/" + encode(user_id), body.dump());
  if (answer.status != 200) {
    return report(answer, "reset-password");
  }
  std::cout << "password of " << user_id << " reset" << (args.has("keep-devices") ? "" : "; its devices are logged out")
            << "\n";
  if (generated) {
    std::cout << "password: " << password << "\n(shown once; store it now)\n";
  }
  return 0;
}

int set_admin(const Args& args, const config::Config& config, bool admin) {
  const auto user_id = user_id_of(args.value("user"), config);
  AdminTransport transport(config, false);
  const auto answer = transport.call_in_process("PUT", "/_synapse/admin/v1/users/" + encode(user_id) + "/admin",
                                                nlohmann::json{{"admin", admin}}.dump());
  if (answer.status != 200) {
    return report(answer, admin ? "make-admin" : "revoke-admin");
  }
  std::cout << user_id << (admin ? " is now a server admin" : " is no longer a server admin") << "\n";
  return 0;
}

/// lock/unlock (Synapse's `locked` user field) and suspend/unsuspend (its suspend endpoint).
int set_moderation(const Args& args, const config::Config& config, bool lock, bool value) {
  const auto user_id = user_id_of(args.value("user"), config);
  const std::string command = lock ? (value ? "lock" : "unlock") : (value ? "suspend" : "unsuspend");
  AdminTransport transport(config, false);
  if (!user_exists(transport, user_id, command)) {
    return 1;
  }
  const auto answer =
      lock ? transport.call_in_process("PUT", "/_synapse/admin/v2/users/" + encode(user_id),
                                       nlohmann::json{{"locked", value}}.dump())
           : transport.call_in_process("PUT", "/_synapse/admin/v1/suspend/" + encode(user_id),
                                       nlohmann::json{{"suspend", value}}.dump());
  if (answer.status != 200) {
    return report(answer, command);
  }
  std::cout << user_id << (value ? " is now " : " is no longer ") << (lock ? "locked" : "suspended") << "\n";
  return 0;
}

int deactivate(const Args& args, const config::Config& config) {
  const auto user_id = user_id_of(args.value("user"), config);
  AdminTransport transport(config, true);
  if (!user_exists(transport, user_id, "deactivate")) {
    return 1;
  }
  std::cerr << "deactivating through " << transport.mode() << "\n";
  return report(transport.call("POST", "/_synapse/admin/v1/deactivate/" + encode(user_id),
                               nlohmann::json{{"erase", args.has("erase")}}.dump()),
                "deactivate");
}

int list_rooms(const Args& args, const config::Config& config) {
  AdminTransport transport(config, false);
  std::string target = "/_synapse/admin/v1/rooms?from=" + args.get("from").value_or("0") +
                       "&limit=" + args.get("limit").value_or("100") +
                       "&order_by=" + encode(args.get("order-by").value_or("name"));
  if (args.has("search")) {
    target += "&search_term=" + encode(args.value("search"));
  }
  return report(transport.call_in_process("GET", target), "list-rooms");
}

int room_details(const Args& args, const config::Config& config) {
  AdminTransport transport(config, false);
  const std::string base = "/_synapse/admin/v1/rooms/" + encode(args.value("room"));
  auto details = transport.call_in_process("GET", base);
  if (details.status != 200) {
    return report(details, "room-details");
  }
  auto body = nlohmann::json::parse(details.body);
  const auto extremities = nlohmann::json::parse(transport.call_in_process("GET", base + "/forward_extremities").body);
  body["forward_extremity_ids"] = nlohmann::json::array();
  for (const auto& entry : extremities.value("results", nlohmann::json::array())) {
    body["forward_extremity_ids"].push_back(entry.value("event_id", ""));
  }
  body["members"] = nlohmann::json::parse(transport.call_in_process("GET", base + "/members").body).value("members",
                                                                                                          nlohmann::json::array());
  std::cout << body.dump(2) << "\n";
  return 0;
}

/// Runs a task endpoint, then prints its status (which is final: tasks finish before answering).
int run_task(AdminTransport& transport, const std::string& command, const std::string& method,
             const std::string& target, const nlohmann::json& body, const std::string& id_key,
             const std::string& status_path) {
  std::cerr << command << " through " << transport.mode() << "\n";
  const auto started = transport.call(method, target, body.dump());
  if (started.status != 200) {
    return report(started, command);
  }
  const auto id = nlohmann::json::parse(started.body).value(id_key, "");
  return report(transport.call("GET", status_path + encode(id)), command);
}

int purge_history(const Args& args, const config::Config& config) {
  if (args.has("event") == args.has("before-ts")) {
    throw std::invalid_argument("give exactly one of --event and --before-ts");
  }
  nlohmann::json body{{"delete_local_events", args.has("delete-local")}};
  std::string target = "/_synapse/admin/v1/purge_history/" + encode(args.value("room"));
  if (args.has("event")) {
    target += "/" + encode(args.value("event"));
  } else {
    try {
      body["purge_up_to_ts"] = std::stoll(args.value("before-ts"));
    } catch (const std::exception&) {
      throw std::invalid_argument("--before-ts must be milliseconds since the epoch");
    }
  }
  AdminTransport transport(config, true);
  if (transport.call_in_process("GET", "/_synapse/admin/v1/rooms/" + encode(args.value("room"))).status != 200) {
    std::cerr << "ranvier admin purge-history: this server does not know the room " << args.value("room") << "\n";
    return 1;
  }
  return run_task(transport, "purge-history", "POST", target, body, "purge_id",
                  "/_synapse/admin/v1/purge_history_status/");
}

int shutdown_room(const Args& args, const config::Config& config) {
  nlohmann::json body{{"block", !args.has("no-block")}, {"purge", !args.has("no-purge")}};
  if (args.has("new-room-user")) {
    body["new_room_user_id"] = user_id_of(args.value("new-room-user"), config);
  }
  for (const auto& [option, key] : {std::pair{"room-name", "room_name"}, {"message", "message"}}) {
    if (args.has(option)) {
      body[key] = args.value(option);
    }
  }
  AdminTransport transport(config, true);
  return run_task(transport, "shutdown-room", "DELETE", "/_synapse/admin/v2/rooms/" + encode(args.value("room")), body,
                  "delete_id", "/_synapse/admin/v2/rooms/delete_status/");
}

/// `ranvier admin token-*`: the registration-token command's own code, with the arguments
/// after the subcommand plus `extra`. token-delete's `--token X` is that command's `--delete X`.
int token_command(int argc, char** argv, const std::vector<std::string>& extra, bool deleting = false) {
  std::vector<std::string> words(argv + 1, argv + argc);
  words.insert(words.end(), extra.begin(), extra.end());
  for (auto& word : words) {
    if (deleting && word == "--token") {
      word = "--delete";
    }
  }
  std::vector<char*> pointers;
  for (auto& word : words) {
    pointers.push_back(word.data());
  }
  return run_registration_token(static_cast<int>(pointers.size()), pointers.data());
}

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table{
      {"create-user",
       {"Creates a user; without --password a generated one is printed once.",
        [](Args& a) {
          a.option("user", "localpart or full user ID", true)
              .option("password", "the password (default: generated and printed once)")
              .option("displayname", "display name (default: the localpart)")
              .flag("admin", "make the user a server admin");
        },
        create_user}},
      {"list-users",
       {"Lists users, ordered by user ID.",
        [](Args& a) {
          a.option("name", "only users whose ID or display name contains this")
              .flag("deactivated", "include deactivated users")
              .flag("no-guests", "leave guests out")
              .option("from", "offset (default 0)")
              .option("limit", "page size (default 100)");
        },
        list_users}},
      {"reset-password",
       {"Sets a user's password; logs their devices out unless --keep-devices.",
        [](Args& a) {
          a.option("user", "localpart or full user ID", true)
              .option("password", "the new password (default: generated and printed once)")
              .flag("keep-devices", "do not log the user's devices out");
        },
        reset_password}},
      {"make-admin",
       {"Grants server admin.", [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_admin(a, c, true); }}},
      {"revoke-admin",
       {"Revokes server admin.", [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_admin(a, c, false); }}},
      {"lock",
       {"Locks a user: every request but logout answers M_USER_LOCKED; sessions are kept.",
        [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_moderation(a, c, true, true); }}},
      {"unlock",
       {"Lifts a lock.", [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_moderation(a, c, true, false); }}},
      {"suspend",
       {"Suspends a user: reading, leaving and logging out still work; joining, sending, inviting and "
        "profile changes answer M_USER_SUSPENDED.",
        [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_moderation(a, c, false, true); }}},
      {"unsuspend",
       {"Lifts a suspension.", [](Args& a) { a.option("user", "localpart or full user ID", true); },
        [](const Args& a, const config::Config& c) { return set_moderation(a, c, false, false); }}},
      {"deactivate",
       {"Deactivates a user: no login, devices gone, every room left (others see the leave).",
        [](Args& a) {
          a.option("user", "localpart or full user ID", true)
              .flag("erase", "also remove the profile and mark the user erased (Synapse's erasure)");
        },
        deactivate}},
      {"list-rooms",
       {"Lists rooms.",
        [](Args& a) {
          a.option("search", "only rooms whose name or alias contains this, or with this room ID")
              .option("order-by", "name (default), joined_members, state_events, version, creator, ...")
              .option("from", "offset (default 0)")
              .option("limit", "page size (default 100)");
        },
        list_rooms}},
      {"room-details",
       {"Shows one room.", [](Args& a) { a.option("room", "the room ID", true); }, room_details}},
      {"purge-history",
       {"Deletes a room's message events before a point; state events and the latest events stay.",
        [](Args& a) {
          a.option("room", "the room ID", true)
              .option("event", "purge the events before this event")
              .option("before-ts", "purge the events before this time (ms since the epoch)")
              .flag("delete-local", "also delete events sent by this server's users");
        },
        purge_history}},
      {"shutdown-room",
       {"Makes every local user leave a room and blocks it against local joins.",
        [](Args& a) {
          a.option("room", "the room ID", true)
              .flag("no-block", "let local users join again later")
              .flag("no-purge", "keep the room's message history")
              .option("new-room-user", "local user who creates a new room the users are moved to")
              .option("room-name", "the new room's name")
              .option("message", "the message the new room starts with");
        },
        shutdown_room}},
  };
  return table;
}

}  // namespace

int run_admin(int argc, char** argv) {
  if (argc < 1 || std::string_view(argv[0]) == "--help" || std::string_view(argv[0]) == "-h") {
    (argc < 1 ? std::cerr : std::cout) << usage;
    return argc < 1 ? 2 : 0;
  }
  const std::string name = argv[0];
  if (name == "token-create") {
    return token_command(argc, argv, {});
  }
  if (name == "token-list") {
    return token_command(argc, argv, {"--list"});
  }
  if (name == "token-delete") {
    return token_command(argc, argv, {}, true);
  }
  const auto found = commands().find(name);
  if (found == commands().end()) {
    std::cerr << "ranvier admin: unknown subcommand '" << name << "'\n\n" << usage;
    return 2;
  }
  Args args("admin " + name, found->second.summary);
  args.option("config", "path of ranvier.yaml (the server may be running or not)", true);
  found->second.declare(args);
  int code = 0;
  if (!args.parse(argc - 1, argv + 1, code)) {
    return code;
  }
  try {
    const auto cfg = load_config_or_report("admin " + name, args.value("config"));
    if (!cfg) {
      return config_error_exit;
    }
    return found->second.run(args, *cfg);
  } catch (const std::invalid_argument& e) {
    std::cerr << "ranvier admin " << name << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ranvier admin " << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ranvier::app
