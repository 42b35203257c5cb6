#pragma once
// Database URLs as written in the configuration and on the command line.
//
//   sqlite:///var/lib/ranvier/ranvier.db   absolute path (three slashes: empty host + /path)
//   sqlite://data/ranvier.db               relative path, resolved against the working directory
//   postgres://user:pass@host:5432/dbname  (also postgresql://); query parameters are passed to
//                                          libpq unchanged, e.g. ?sslmode=require
//
// Paths are percent-decoded (`%20` for a space). SQLite URLs take no query or fragment.

#include <string>
#include <string_view>

namespace ranvier::storage {

/// Which database engine a URL names.
enum class Backend { sqlite, postgres };

/// "sqlite" or "postgres".
std::string_view to_string(Backend backend);

/// A parsed database URL.
struct DatabaseUrl {
  Backend backend;
  /// SQLite: the decoded file path. PostgreSQL: the URL exactly as libpq will read it.
  std::string location;
  /// The URL with its password replaced by `***`, safe for logs and error messages.
  std::string redacted;
};

/// Parses a database URL; throws StorageError(ErrorKind::bad_url) naming what is wrong.
DatabaseUrl parse_database_url(std::string_view url);

}  // namespace ranvier::storage
