// ranvier: a Matrix homeserver. `ranvier --help` lists the subcommands.

#include "app/commands.hpp"

#include <cstring>
#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view usage =
    "usage: ranvier <command> [options]\n\n"
    "commands:\n"
    "  init           write a configuration, signing key and TLS certificate into a directory\n"
    "  serve          run the homeserver\n"
    "  register-user  create a user account (works while the server runs)\n"
    "  registration-token  create, list or delete registration tokens\n"
    "  admin          manage users, tokens and rooms (`ranvier admin --help`)\n"
    "  coverage       print how many spec operations have handlers\n"
    "  doctor         check a server name's federation set-up from the outside\n"
    "  migrate-db     copy a stopped server's SQLite database into PostgreSQL\n"
    "  backup         back up the database, keys and config (also while the server runs)\n"
    "  restore        restore a backup written by `ranvier backup`\n"
    "  version        print the version\n\n"
    "`ranvier <command> --help` describes each command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ranvier::app;
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage;
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "ranvier " RANVIER_VERSION "\n";
    return 0;
  }
  if (command == "init") {
    return run_init(argc - 2, argv + 2);
  }
  if (command == "serve") {
    return run_serve(argc - 2, argv + 2);
  }
  if (command == "register-user") {
    return run_register_user(argc - 2, argv + 2);
  }
  if (command == "registration-token") {
    return run_registration_token(argc - 2, argv + 2);
  }
  if (command == "admin") {
    return run_admin(argc - 2, argv + 2);
  }
  if (command == "coverage") {
    return run_coverage(argc - 2, argv + 2);
  }
  if (command == "doctor") {
    return run_doctor(argc - 2, argv + 2);
  }
  if (command == "migrate-db") {
    return run_migrate_db(argc - 2, argv + 2);
  }
  if (command == "backup") {
    return run_backup(argc - 2, argv + 2);
  }
  if (command == "restore") {
    return run_restore(argc - 2, argv + 2);
  }
  std::cerr << "ranvier: unknown command '" << command << "'\n\n" << usage;
  return 2;
}
