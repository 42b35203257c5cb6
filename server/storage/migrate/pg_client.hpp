#pragma once
// A plain PostgreSQL connection for SQL built at run time (table and column names come from
// the schema), which the server's sessions do not take: they prepare static statements only.
// Values travel as text both ways; NULL is nullopt.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace ranvier::storage::migrate {

/// A text value or NULL.
using Text = std::optional<std::string>;
/// One result row.
using TextRow = std::vector<Text>;

class PgClient {
 public:
  /// Connects to a postgres:// URL; throws MigrateError naming the (redacted) URL and libpq's
  /// reason when the server cannot be reached or refuses.
  explicit PgClient(std::string_view url);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  /// Runs one statement with $1.. parameters and returns its rows.
  std::vector<TextRow> query(std::string_view sql, const std::vector<Text>& params = {});
  /// Runs SQL text without parameters (several statements allowed).
  void execute(std::string_view script);
  /// The URL with its password hidden.
  const std::string& label() const { return label_; }

 private:
  pg_conn* conn_ = nullptr;
  std::string label_;
};

/// Quotes an identifier for PostgreSQL ("name", with " doubled).
std::string quote_ident(std::string_view name);

/// Quotes a string literal for PostgreSQL ('text', with ' doubled).
std::string quote_literal(std::string_view text);

}  // namespace ranvier::storage::migrate
