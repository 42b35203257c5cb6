// `ranvier register-user`: create an account from the command line (the operator's way in
// while registration is closed). Safe while the server runs: it goes through the same
// transactional storage, and SQLite's busy timeout covers the server's own writes.

#include "api/client/sessions.hpp"
#include "api/password_hash.hpp"
#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config_loading.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"
#include "storage/errors.hpp"

#include <chrono>
#include <iostream>

namespace ranvier::app {

int run_register_user(int argc, char** argv) {
  Args args("register-user", "Creates a user account with a password.");
  args.option("config", "path of ranvier.yaml", true)
      .option("user", "the localpart (alice) or full user ID (@alice:example.org)", true)
      .option("password", "the password", true)
      .flag("admin", "make the user a server admin");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  try {
    const auto loaded = load_config_or_report("register-user", args.value("config"));
    if (!loaded) {
      return config_error_exit;
    }
    const config::Config& cfg = *loaded;
    std::string localpart = args.value("user");
    if (localpart.starts_with("@")) {
      auto id = core::parse_user_id(localpart);
      if (!id || id->server_name != cfg.server_name) {
        std::cerr << "ranvier register-user: --user must be a user ID on " << cfg.server_name << "\n";
        return 2;
      }
      localpart = std::string(id->localpart);
    }
    if (!core::is_valid_user_localpart(localpart)) {
      std::cerr << "ranvier register-user: '" << localpart
                << "' is not a valid localpart (lower-case letters, digits and ._=-/+ only)\n";
      return 2;
    }
    if (1 + localpart.size() + 1 + cfg.server_name.size() > 255) {
      std::cerr << "ranvier register-user: the user ID would be longer than 255 bytes\n";
      return 2;
    }
    const std::string password = args.value("password");
    if (password.empty()) {
      std::cerr << "ranvier register-user: --password must not be empty\n";
      return 2;
    }
    storage::Account account;
    account.user_id = "@" + localpart + ":" + cfg.server_name;
    account.password_hash = api::hash_password(
        password, api::PasswordCost{cfg.password_hashing.memory_kib, cfg.password_hashing.iterations});
    account.is_admin = args.has("admin");
    account.created_ts = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    auto db = storage::open_database(cfg.database);
    auto result = db->write([&](storage::WriteTx& tx) {
      auto created = tx.accounts().create(account);
      if (created == storage::CreateResult::created) {
        api::create_initial_profile(tx, account.user_id, localpart);
      }
      return created;
    });
    if (result == storage::CreateResult::exists) {
      std::cerr << "ranvier register-user: " << account.user_id << " already exists\n";
      return 1;
    }
    std::cout << "created " << account.user_id << (account.is_admin ? " (admin)" : "") << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ranvier register-user: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ranvier::app
