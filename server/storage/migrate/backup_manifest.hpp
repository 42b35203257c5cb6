#pragma once
// manifest.json of a `ranvier backup` directory: what each file is, where it came from, its
// size and SHA-256, and which Ranvier and schema version wrote the database. Restore checks
// every file against it before writing anything.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage::migrate {

/// One file of a backup.
struct BackupFile {
  /// Path inside the backup directory (relative, no "..").
  std::string name;
  /// database, signing_key, tls_certificate, tls_private_key, config or media.
  std::string role;
  /// Where it was copied from (for the database: the redacted URL).
  std::string original;
  std::uint64_t size = 0;
  /// Lower-case hex.
  std::string sha256;
};

/// The manifest as a whole.
struct Manifest {
  int format = 1;
  std::string ranvier_version;
  /// Milliseconds since the epoch when the backup was taken.
  std::int64_t created_ts = 0;
  std::string server_name;
  /// sqlite or postgres.
  std::string database_backend;
  /// Highest migration applied to the backed-up database.
  int schema_version = 0;
  std::vector<BackupFile> files;
};

/// The manifest's file name inside a backup directory.
inline constexpr std::string_view manifest_name = "manifest.json";

/// Serialises a manifest (pretty-printed JSON).
std::string manifest_json(const Manifest& manifest);

/// Parses a manifest; throws MigrateError naming what is missing or malformed (including a
/// file name that would leave the backup directory).
Manifest parse_manifest(std::string_view json);

/// SHA-256 of a file's contents as lower-case hex; throws MigrateError when unreadable.
std::string sha256_file(const std::filesystem::path& path);

/// Describes an entry for `path` (size and checksum read now).
BackupFile describe_file(const std::filesystem::path& dir, std::string name, std::string role,
                         std::string original);

/// Every problem with the files of `dir` against `manifest` (missing, other size, other
/// checksum); empty when all match.
std::vector<std::string> verify_files(const std::filesystem::path& dir, const Manifest& manifest);

}  // namespace ranvier::storage::migrate
