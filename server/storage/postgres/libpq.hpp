#pragma once
// libpq, loaded when the first PostgreSQL database is opened rather than at program start.
// A server on SQLite then never maps libpq and what it pulls in (GnuTLS, LDAP, Kerberos),
// which is about a sixth of its idle memory. Internal to the PostgreSQL backend.

#include <libpq-fe.h>

namespace ranvier::storage::postgres {

// Every libpq function the backend calls. Add a name here before using a new one.
#define RANVIER_LIBPQ_FUNCTIONS(X)                                                                 \
  X(PQclear) X(PQcmdTuples) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse)              \
  X(PQerrorMessage) X(PQexec) X(PQexecPrepared) X(PQfinish) X(PQfreemem) X(PQgetResult)            \
  X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQprepare)               \
  X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQuery)                   \
  X(PQsetClientEncoding) X(PQsetNoticeProcessor) X(PQstatus) X(PQenterPipelineMode)              \
  X(PQexitPipelineMode) X(PQpipelineSync) X(PQsendPrepare) X(PQsendQueryPrepared)                  \
  X(PQsendQueryParams) X(PQtransactionStatus)

/// The resolved entry points, named like the functions themselves.
struct Libpq {
#define RANVIER_LIBPQ_POINTER(name) decltype(&::name) name = nullptr;
  RANVIER_LIBPQ_FUNCTIONS(RANVIER_LIBPQ_POINTER)
#undef RANVIER_LIBPQ_POINTER
};

/// Loads libpq.so.5 on first use (thread-safe). Throws StorageError(unavailable) naming the
/// Debian package when the library or one of its functions is missing; the next call retries.
const Libpq& libpq();

}  // namespace ranvier::storage::postgres
