// `ranvier backup` and `ranvier restore` (the work is in storage/migrate/backup.hpp).

#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config_loading.hpp"
#include "config/config.hpp"
#include "storage/migrate/backup.hpp"
#include "storage/migrate/migrate_error.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace ranvier::app {
namespace {

namespace fs = std::filesystem;

void print(const std::string& line) { std::cout << line << std::endl; }

std::optional<fs::path> optional_path(const fs::path& path) {
  return path.empty() ? std::nullopt : std::optional<fs::path>(path);
}

}  // namespace

int run_backup(int argc, char** argv) {
  Args args("backup",
            "Takes a consistent backup of a server, also while it runs: the database (SQLite\n"
            "through its online backup API, PostgreSQL through pg_dump in custom format), the\n"
            "signing key, the TLS certificate and key, and the configuration file, with a\n"
            "manifest.json giving each file's size and SHA-256, the Ranvier version and the\n"
            "database's schema version. The backup is a new directory ranvier-backup-<UTC time>\n"
            "inside --to, which appears only once complete. Media files (media.path) are\n"
            "copied after the database, so every file it refers to is in the backup.");
  args.option("config", "path of ranvier.yaml", true)
      .option("to", "an existing directory to write the backup into", true);
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  const auto loaded = load_config_or_report("backup", args.value("config"));
  if (!loaded) {
    return config_error_exit;
  }
  const config::Config& cfg = *loaded;
  storage::migrate::BackupSources sources;
  sources.server_name = cfg.server_name;
  sources.database_url = cfg.database;
  sources.config_file = fs::absolute(args.value("config"));
  sources.signing_key = cfg.signing_key;
  sources.tls_certificate = optional_path(cfg.tls_certificate);
  sources.tls_private_key = optional_path(cfg.tls_private_key);
  sources.media_dir = optional_path(cfg.media.path);
  sources.ranvier_version = RANVIER_VERSION;
  try {
    const fs::path dir = storage::migrate::create_backup(sources, args.value("to"), print);
    std::cout << "backup written to " << dir.string() << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "ranvier backup: " << error.what() << "\n";
    return 1;
  }
}

int run_restore(int argc, char** argv) {
  Args args("restore",
            "Restores a directory written by `ranvier backup`: first checks every file against\n"
            "its manifest, then restores the database, the signing key, the TLS files, the media\n"
            "files and the configuration. When --config names an existing file, things go where that\n"
            "configuration says (a different database or folder than the backed-up server's is\n"
            "fine) and the file itself is kept; otherwise the backup's configuration is written\n"
            "there first and followed. A target that holds anything (a database with tables, a\n"
            "key file with other contents) is refused unless --force. The server must be\n"
            "stopped; start it afterwards with the same --config.");
  args.option("config", "path of ranvier.yaml of the place to restore into", true)
      .option("from", "the backup directory (ranvier-backup-...)", true)
      .flag("force", "replace a database and files that are already there");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  const fs::path config_path = fs::absolute(args.value("config"));
  const fs::path from = args.value("from");
  try {
    std::error_code ec;
    storage::migrate::RestoreTargets targets;
    config::Config cfg;
    if (fs::exists(config_path, ec)) {
      cfg = config::load_config(config_path);
    } else {
      // Read the backup's configuration as if it were already at its new place, so its
      // relative paths resolve there.
      storage::migrate::verify_backup(from);
      std::ifstream in(from / "ranvier.yaml");
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      cfg = config::parse_config(text, config_path);
      targets.config_file = config_path;
    }
    targets.database_url = cfg.database;
    targets.signing_key = cfg.signing_key;
    targets.tls_certificate = optional_path(cfg.tls_certificate);
    targets.tls_private_key = optional_path(cfg.tls_private_key);
    targets.media_dir = optional_path(cfg.media.path);
    storage::migrate::restore_backup(from, targets, args.has("force"), print);
    std::cout << "restore complete; start the server with: ranvier serve --config "
              << config_path.string() << "\n";
    return 0;
  } catch (const config::ConfigError& error) {
    return report_config_error("restore", error);
  } catch (const std::exception& error) {
    std::cerr << "ranvier restore: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace ranvier::app
