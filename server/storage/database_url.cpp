#include "storage/database_url.hpp"

#include "storage/errors.hpp"

#include <optional>

namespace ranvier::storage {
namespace {

constexpr std::string_view sqlite_scheme = "sqlite://";
constexpr std::string_view postgres_schemes[] = {"postgres://", "postgresql://"};

[[noreturn]] void bad_url(std::string_view shown, std::string_view why) {
  throw StorageError(ErrorKind::bad_url,
                     "invalid database URL '" + std::string(shown) + "': " + std::string(why));
}

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return std::nullopt;
    }
    auto hi = hex_value(in[i + 1]);
    auto lo = hex_value(in[i + 2]);
    if (!hi || !lo) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(*hi * 16 + *lo));
    i += 2;
  }
  return out;
}

// Replaces the password in `scheme://user:password@host...` so the URL can be printed.
std::string redact_password(std::string_view url, std::size_t authority_start) {
  std::size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) {
    authority_end = url.size();
  }
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  std::size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) {
    return std::string(url);
  }
  std::string out(url.substr(0, authority_start + colon + 1));
  out += "***";
  out += url.substr(authority_start + at);
  return out;
}

DatabaseUrl parse_sqlite(std::string_view url) {
  std::string_view rest = url.substr(sqlite_scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    bad_url(url, "SQLite URLs take no query or fragment");
  }
  if (rest.empty() || rest == "/") {
    bad_url(url, "no file path after 'sqlite://' (use sqlite:///absolute/path.db)");
  }
  if (rest.back() == '/') {
    bad_url(url, "the path names a directory, not a database file");
  }
  std::optional<std::string> path = percent_decode(rest);
  if (!path) {
    bad_url(url, "bad percent-encoding in the path");
  }
  if (path->find('\0') != std::string::npos) {
    bad_url(url, "the path contains a NUL byte");
  }
  return DatabaseUrl{Backend::sqlite, std::move(*path), std::string(url)};
}

DatabaseUrl parse_postgres(std::string_view url, std::string_view scheme) {
  std::string_view rest = url.substr(scheme.size());
  std::string redacted = redact_password(url, scheme.size());
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' &&
        (i + 2 >= rest.size() || !hex_value(rest[i + 1]) || !hex_value(rest[i + 2]))) {
      bad_url(redacted, "bad percent-encoding");
    }
    if (static_cast<unsigned char>(rest[i]) <= ' ') {
      bad_url(redacted, "spaces and control characters must be percent-encoded");
    }
  }
  std::size_t path_start = rest.find('/');
  std::string_view dbname =
      path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start + 1);
  dbname = dbname.substr(0, dbname.find_first_of("?#"));
  if (dbname.empty()) {
    bad_url(redacted, "no database name (postgres://user:password@host:port/dbname)");
  }
  return DatabaseUrl{Backend::postgres, std::string(url), std::move(redacted)};
}

}  // namespace

std::string_view to_string(Backend backend) {
  return backend == Backend::sqlite ? "sqlite" : "postgres";
}

DatabaseUrl parse_database_url(std::string_view url) {
  if (url.starts_with(sqlite_scheme)) {
    return parse_sqlite(url);
  }
  for (std::string_view scheme : postgres_schemes) {
    if (url.starts_with(scheme)) {
      return parse_postgres(url, scheme);
    }
  }
  std::size_t colon = url.find(':');
  std::string shown(colon == std::string_view::npos ? url : url.substr(0, colon));
  bad_url(shown,
          "unknown scheme; use sqlite:///path/file.db or "
          "postgres://user:password@host:port/dbname");
}

}  // namespace ranvier::storage
