#pragma once
// `ranvier backup` and `ranvier restore`: a consistent copy of a running server's database
// (SQLite online backup API, or pg_dump's snapshot in custom format) with its signing key,
// TLS files, configuration and media files, described by manifest.json (backup_manifest.hpp).
//
// A backup is written into a hidden temporary directory beside its final place and renamed
// only when complete, so a failure never leaves a directory that looks like a backup.

#include "storage/migrate/backup_manifest.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace ranvier::storage::migrate {

/// What a backup copies (from the server's configuration).
struct BackupSources {
  std::string server_name;
  std::string database_url;
  std::filesystem::path config_file;
  std::filesystem::path signing_key;
  std::optional<std::filesystem::path> tls_certificate;
  std::optional<std::filesystem::path> tls_private_key;
  /// The media store (content-addressed files named by their SHA-256), if any. Copied after
  /// the database, so every file the database names is there (files are never changed, only
  /// added).
  std::optional<std::filesystem::path> media_dir;
  std::string ranvier_version;
};

/// Writes a new backup directory `ranvier-backup-<UTC time>` inside `parent` and returns its
/// path. Throws MigrateError (nothing is left behind) when `parent` is not a writable
/// directory, the database cannot be copied, or pg_dump is missing or fails.
std::filesystem::path create_backup(const BackupSources& sources,
                                    const std::filesystem::path& parent,
                                    const std::function<void(const std::string&)>& report);

/// Where a restore puts things (from the configuration of the place restored into).
struct RestoreTargets {
  std::string database_url;
  std::filesystem::path signing_key;
  std::optional<std::filesystem::path> tls_certificate;
  std::optional<std::filesystem::path> tls_private_key;
  /// Where the backup's configuration file is written; nullopt keeps the existing one.
  std::optional<std::filesystem::path> config_file;
  /// Where media files go; a file already there is kept (same name, same content).
  std::optional<std::filesystem::path> media_dir;
};

/// Reads `dir`'s manifest and checks every file against it; throws MigrateError listing each
/// problem.
Manifest verify_backup(const std::filesystem::path& dir);

/// Verifies the backup, then restores its database, signing key, TLS files and (when asked)
/// configuration. Without `force` a target holding anything (a database with tables, a key
/// or certificate file with other contents) is refused before anything is written, and the
/// message lists what is there. Throws MigrateError.
void restore_backup(const std::filesystem::path& dir, const RestoreTargets& targets, bool force,
                    const std::function<void(const std::string&)>& report);

}  // namespace ranvier::storage::migrate
