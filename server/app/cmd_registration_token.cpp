// `ranvier registration-token`: issue, list and delete the tokens that let people register on a
// server configured with `registration: token` (client-server API, "Token-authenticated
// registration"). Safe while the server runs, like register-user.

#include "api/admin/registration_token_rules.hpp"
#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config_loading.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <iostream>

namespace ranvier::app {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> positive_number(const Args& args, const char* name) {
  if (!args.has(name)) {
    return std::nullopt;
  }
  const std::string text = args.value(name);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument(std::string("--") + name + " must be a whole number");
  }
  return std::stoll(text);
}

void print(const storage::RegistrationToken& token) {
  std::cout << token.token << "  uses " << token.completed << "/"
            << (token.uses_allowed ? std::to_string(*token.uses_allowed) : "unlimited") << "  expires "
            << (token.expiry_time ? std::to_string(*token.expiry_time) + " (ms since epoch)" : "never")
            << (token.usable(now_ms()) ? "" : "  (used up or expired)") << "\n";
}

}  // namespace

int run_registration_token(int argc, char** argv) {
  Args args("registration-token",
            "Creates (default), lists or deletes registration tokens for `registration: token` servers.");
  args.option("config", "path of ranvier.yaml", true)
      .option("token", "the token to create (default: 43 random characters; [A-Za-z0-9._~-], up to 64)")
      .option("uses", "how many registrations it allows (default: unlimited)")
      .option("valid-days", "days until it expires (default: never)")
      .flag("list", "list every token instead of creating one")
      .option("delete", "delete this token instead of creating one");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  try {
    const auto loaded = load_config_or_report("registration-token", args.value("config"));
    if (!loaded) {
      return config_error_exit;
    }
    const config::Config& cfg = *loaded;
    auto db = storage::open_database(cfg.database);
    if (args.has("list")) {
      for (const auto& token : db->read([](storage::ReadTx& tx) { return tx.registration_tokens().list(); })) {
        print(token);
      }
      return 0;
    }
    if (args.has("delete")) {
      const auto token = args.value("delete");
      if (!db->write([&](storage::WriteTx& tx) { return tx.registration_tokens().remove(token); })) {
        std::cerr << "ranvier registration-token: no token " << token << "\n";
        return 1;
      }
      std::cout << "deleted " << token << "\n";
      return 0;
    }
    storage::RegistrationToken token{.token = args.has("token") ? args.value("token") : storage::generate_token(""),
                                     .uses_allowed = positive_number(args, "uses"),
                                     .created_ts = now_ms()};
    if (!api::admin::is_valid_registration_token(token.token)) {
      std::cerr << "ranvier registration-token: a token is 1 to 64 characters of A-Z a-z 0-9 . _ ~ -\n";
      return 2;
    }
    if (auto days = positive_number(args, "valid-days")) {
      token.expiry_time = token.created_ts + *days * 24 * 3600 * 1000;
    }
    if (db->write([&](storage::WriteTx& tx) { return tx.registration_tokens().create(token); }) ==
        storage::CreateResult::exists) {
      std::cerr << "ranvier registration-token: the token " << token.token << " exists already\n";
      return 1;
    }
    print(token);
    if (cfg.registration != config::RegistrationMode::token) {
      std::cerr << "note: registration is not in token mode in " << args.value("config")
                << "; tokens are only asked for with `registration: token`\n";
    }
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "ranvier registration-token: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ranvier registration-token: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ranvier::app
