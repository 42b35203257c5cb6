#pragma once
// The SQL text of the SQLite backend.

#include "storage/sql/queries.hpp"

namespace ranvier::storage::sqlite {

/// Statements and transaction commands for SQLite (placeholders ?1, ?2, ...).
const sql::Dialect& dialect();

}  // namespace ranvier::storage::sqlite
