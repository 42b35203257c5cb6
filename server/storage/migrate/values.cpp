#include "storage/migrate/values.hpp"

#include "storage/migrate/migrate_error.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>

namespace ranvier::storage::migrate {
namespace {

std::string kind_name(SourceValue::Kind kind) {
  switch (kind) {
    case SourceValue::Kind::null: return "NULL";
    case SourceValue::Kind::integer: return "an integer";
    case SourceValue::Kind::real: return "a real number";
    case SourceValue::Kind::text: return "text";
    case SourceValue::Kind::blob: return "a blob";
  }
  return "a value";
}

[[noreturn]] void mismatch(const SourceValue& value, std::string_view expected,
                           std::string_view where) {
  throw MigrateError(std::string(where) + ": cannot store " + kind_name(value.kind) + " in a " +
                     std::string(expected) + " column");
}

bool is_decimal_integer(std::string_view text) {
  std::int64_t parsed = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
  return ec == std::errc() && ptr == end && !text.empty() && std::to_string(parsed) == text;
}

// PostgreSQL prints float8 as the shortest text that reads back exactly (extra_float_digits
// defaults to 1 since PostgreSQL 12), which std::to_chars also produces.
std::string real_text(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "Infinity" : "-Infinity";
  }
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ptr);
}

}  // namespace

std::optional<ColumnType> column_type_from_udt(std::string_view udt) {
  if (udt == "int2" || udt == "int4" || udt == "int8") {
    return ColumnType::integer;
  }
  if (udt == "float4" || udt == "float8") {
    return ColumnType::real;
  }
  if (udt == "bool") {
    return ColumnType::boolean;
  }
  if (udt == "text" || udt == "varchar" || udt == "bpchar") {
    return ColumnType::text;
  }
  if (udt == "bytea") {
    return ColumnType::bytea;
  }
  if (udt == "json") {
    return ColumnType::json;
  }
  if (udt == "jsonb") {
    return ColumnType::jsonb;
  }
  if (udt == "tsvector") {
    return ColumnType::tsvector;
  }
  return std::nullopt;
}

std::string_view cast_name(ColumnType type) {
  switch (type) {
    case ColumnType::integer: return "bigint";
    case ColumnType::real: return "double precision";
    case ColumnType::boolean: return "boolean";
    case ColumnType::text: return "text";
    case ColumnType::bytea: return "bytea";
    case ColumnType::json: return "json";
    case ColumnType::jsonb: return "jsonb";
    case ColumnType::tsvector: return "tsvector";
  }
  return "text";
}

bool derived_by_postgres(ColumnType type) {
  return type == ColumnType::jsonb || type == ColumnType::tsvector;
}

std::string bytea_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::optional<std::string> normal_form(const SourceValue& value, ColumnType type,
                                       std::string_view where) {
  using Kind = SourceValue::Kind;
  if (value.kind == Kind::null) {
    return std::nullopt;
  }
  switch (type) {
    case ColumnType::integer:
      if (value.kind == Kind::integer) {
        return std::to_string(value.integer);
      }
      if (value.kind == Kind::text && is_decimal_integer(value.bytes)) {
        return value.bytes;
      }
      mismatch(value, "integer", where);
    case ColumnType::real:
      if (value.kind == Kind::real) {
        return real_text(value.real);
      }
      if (value.kind == Kind::integer) {
        return std::to_string(value.integer);
      }
      mismatch(value, "real", where);
    case ColumnType::boolean:
      if (value.kind == Kind::integer && (value.integer == 0 || value.integer == 1)) {
        return value.integer == 1 ? "true" : "false";
      }
      if (value.kind == Kind::integer) {
        throw MigrateError(std::string(where) + ": " + std::to_string(value.integer) +
                           " is not a boolean (0 or 1)");
      }
      mismatch(value, "boolean", where);
    case ColumnType::bytea:
      if (value.kind == Kind::blob || value.kind == Kind::text) {
        return bytea_hex(value.bytes);
      }
      mismatch(value, "bytea", where);
    case ColumnType::text:
    case ColumnType::json:
    case ColumnType::jsonb:
    case ColumnType::tsvector:
      if (value.kind == Kind::text) {
        if (value.bytes.find('\0') != std::string::npos) {
          throw MigrateError(std::string(where) +
                             ": text holds a NUL byte, which PostgreSQL text cannot store");
        }
        return value.bytes;
      }
      if (value.kind == Kind::integer && type == ColumnType::text) {
        return std::to_string(value.integer);
      }
      mismatch(value, cast_name(type), where);
  }
  mismatch(value, "known", where);
}

RowChecksum::RowChecksum() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

RowChecksum::~RowChecksum() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void RowChecksum::add_value(const std::optional<std::string>& value) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (!value) {
    EVP_DigestUpdate(ctx, "N", 1);
    return;
  }
  const std::string frame = "V" + std::to_string(value->size()) + ":";
  EVP_DigestUpdate(ctx, frame.data(), frame.size());
  EVP_DigestUpdate(ctx, value->data(), value->size());
}

void RowChecksum::end_row() {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), "\n", 1);
  ++rows_;
}

std::string RowChecksum::finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &length);
  return bytea_hex(std::string_view(reinterpret_cast<const char*>(digest), length)).substr(2);
}

}  // namespace ranvier::storage::migrate
