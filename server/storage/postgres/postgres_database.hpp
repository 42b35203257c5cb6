#pragma once
// The PostgreSQL backend: a bounded pool of libpq connections, prepared statements per
// connection, every call parameterized.

#include "storage/database.hpp"
#include "storage/sql/queries.hpp"

#include <memory>
#include <span>
#include <string>

namespace ranvier::storage::postgres {

/// The migrations embedded at build time from `postgres/migrations/NNNN_name.sql`.
std::span<const sql::Migration> migrations();

/// Connects to `url` (postgres:// or postgresql://, as libpq reads it) and applies
/// `migrations`. `redacted` is the URL without its password, for messages. Throws StorageError
/// (bad_url, unavailable, schema_too_new, migration_failed).
std::unique_ptr<Database> open(const std::string& url, const std::string& redacted,
                               const OpenOptions& options,
                               std::span<const sql::Migration> migrations = postgres::migrations());

}  // namespace ranvier::storage::postgres
