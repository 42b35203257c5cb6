#pragma once
// The one exception type the storage layer throws, with a kind callers can branch on.

#include <stdexcept>
#include <string>
#include <string_view>

namespace ranvier::storage {

/// Why a storage call failed. Expected outcomes (a user that already exists, a token that is
/// unknown) are result values, not errors; these kinds are for things that went wrong.
enum class ErrorKind {
  bad_url,           ///< the database URL cannot be understood
  unavailable,       ///< the database cannot be opened or reached
  schema_too_new,    ///< the database was migrated by a newer ranvier than this one
  migration_failed,  ///< a migration script failed; nothing of it was kept
  pool_timeout,      ///< no connection became free in time
  busy,              ///< a lock stayed taken too long or a deadlock was broken; running the
                     ///< whole transaction again may succeed
  connection_lost,   ///< the connection broke during the call
  constraint,        ///< the database refused a write (foreign key, check, uniqueness)
  query_failed,      ///< any other failure reported by the database
  misuse,            ///< a programming error, e.g. a write transaction opened inside another
};

/// Short stable name of a kind, e.g. "schema_too_new" (for logs and metrics labels).
std::string_view to_string(ErrorKind kind);

/// A failed storage call. `what()` is a complete sentence fit for an operator.
class StorageError : public std::runtime_error {
 public:
  StorageError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}

  /// What went wrong, for callers that react differently per kind.
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace ranvier::storage
