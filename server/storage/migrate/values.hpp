#pragma once
// Row values on their way from SQLite to PostgreSQL, and the normal form both sides are
// compared in. SQLite stores booleans as 0/1 integers, blobs as bytes and JSON as text;
// PostgreSQL's ::text says true/false, \x-hex and the JSON text. The normal form is the
// PostgreSQL text form, so a target value read back with `::text` can be compared directly,
// and the same text is what gets sent to PostgreSQL on insert.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage::migrate {

/// A value as SQLite hands it back.
struct SourceValue {
  enum class Kind { null, integer, real, text, blob };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  /// Text or blob bytes.
  std::string bytes;

  static SourceValue null() { return {}; }
  static SourceValue of_int(std::int64_t v) { return {Kind::integer, v, 0, {}}; }
  static SourceValue of_real(double v) { return {Kind::real, 0, v, {}}; }
  static SourceValue of_text(std::string v) { return {Kind::text, 0, 0, std::move(v)}; }
  static SourceValue of_blob(std::string v) { return {Kind::blob, 0, 0, std::move(v)}; }
};

/// What a PostgreSQL column holds, as far as conversion cares.
enum class ColumnType {
  integer,   // smallint, integer, bigint
  real,      // real, double precision
  boolean,
  text,      // text, varchar, char
  bytea,
  json,      // json keeps its text as given
  jsonb,     // normalised by PostgreSQL
  tsvector,  // built by PostgreSQL from the source text
};

/// Maps information_schema.columns.udt_name (int8, bool, text, tsvector, ...) to a ColumnType;
/// nullopt for a type this tool does not know how to fill (the caller names it in an error).
std::optional<ColumnType> column_type_from_udt(std::string_view udt_name);

/// The PostgreSQL type to cast text input to on insert (`r.col::<this>`).
std::string_view cast_name(ColumnType type);

/// True when only PostgreSQL can compute the target's normal form from the source value
/// (tsvector: to_tsvector; jsonb: its canonical key order and spacing).
bool derived_by_postgres(ColumnType type);

/// The normal form of a source value for a column of `type`: nullopt for NULL, else the text
/// PostgreSQL would print for the stored value. For derived types it is the source text
/// itself (PostgreSQL turns it into the final value). Throws MigrateError when the value does
/// not fit (a boolean that is neither 0 nor 1, a blob for an integer column, ...); `where`
/// (table.column) names the place in the message.
std::optional<std::string> normal_form(const SourceValue& value, ColumnType type,
                                       std::string_view where);

/// Lower-case hex with PostgreSQL's \x prefix, as bytea_output = hex prints it.
std::string bytea_hex(std::string_view bytes);

/// SHA-256 over a sequence of rows of normal-form values. Each value is framed (a NULL
/// marker or its length) so that ("ab", "c") and ("a", "bc") differ.
class RowChecksum {
 public:
  RowChecksum();
  ~RowChecksum();
  RowChecksum(const RowChecksum&) = delete;
  RowChecksum& operator=(const RowChecksum&) = delete;

  /// Adds one value of the current row.
  void add_value(const std::optional<std::string>& value);
  /// Ends the current row.
  void end_row();
  /// Rows added so far.
  std::int64_t rows() const { return rows_; }
  /// The digest as lower-case hex; the checksum must not be used afterwards.
  std::string finish();

 private:
  void* ctx_;
  std::int64_t rows_ = 0;
};

}  // namespace ranvier::storage::migrate
