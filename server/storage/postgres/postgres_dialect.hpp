#pragma once
// The SQL text of the PostgreSQL backend.

#include "storage/sql/queries.hpp"

namespace ranvier::storage::postgres {

/// Statements and transaction commands for PostgreSQL (placeholders $1, $2, ...).
const sql::Dialect& dialect();

}  // namespace ranvier::storage::postgres
