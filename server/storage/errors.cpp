#include "storage/errors.hpp"

namespace ranvier::storage {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_url:
      return "bad_url";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::schema_too_new:
      return "schema_too_new";
    case ErrorKind::migration_failed:
      return "migration_failed";
    case ErrorKind::pool_timeout:
      return "pool_timeout";
    case ErrorKind::busy:
      return "busy";
    case ErrorKind::connection_lost:
      return "connection_lost";
    case ErrorKind::constraint:
      return "constraint";
    case ErrorKind::query_failed:
      return "query_failed";
    case ErrorKind::misuse:
      return "misuse";
  }
  return "unknown";
}

}  // namespace ranvier::storage
