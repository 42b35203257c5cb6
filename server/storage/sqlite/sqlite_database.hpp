#pragma once
// The SQLite backend: one writer connection (writes are serialized through it) and a small
// pool of read-only connections that read in parallel thanks to WAL.

#include "storage/database.hpp"
#include "storage/sql/queries.hpp"

#include <memory>
#include <span>
#include <string>

namespace ranvier::storage::sqlite {

/// The migrations embedded at build time from `sqlite/migrations/NNNN_name.sql`.
std::span<const sql::Migration> migrations();

/// Opens or creates the database file at `path` and applies `migrations`. Throws StorageError
/// (unavailable, schema_too_new, migration_failed).
std::unique_ptr<Database> open(const std::string& path, const OpenOptions& options,
                               std::span<const sql::Migration> migrations = sqlite::migrations());

}  // namespace ranvier::storage::sqlite
