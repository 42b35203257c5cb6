#pragma once
// Copies of a SQLite database taken with SQLite's online backup API, which reads a consistent
// snapshot page by page while the server keeps writing (it restarts when a write lands in the
// middle of a step, so the copy is always one committed state).

#include <string>

namespace ranvier::storage::migrate {

/// Copies the database at `source` (which may be in use) into a new file `destination`.
/// Throws MigrateError; a partly written destination is removed.
void sqlite_backup(const std::string& source, const std::string& destination);

/// MAX(version) of schema_migrations in the SQLite database at `path` (opened read-only).
int sqlite_schema_version(const std::string& path);

}  // namespace ranvier::storage::migrate
