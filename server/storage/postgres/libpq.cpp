#include "storage/postgres/libpq.hpp"

#include "storage/errors.hpp"

#include <dlfcn.h>

#include <string>

namespace ranvier::storage::postgres {
namespace {

Libpq load() {
  void* handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw StorageError(ErrorKind::unavailable,
                       std::string("PostgreSQL needs libpq (Debian package libpq5), which could not be loaded: ") +
                           (why != nullptr ? why : "unknown error"));
  }
  Libpq table;
#define RANVIER_LIBPQ_RESOLVE(name)                                                                      \
  table.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                              \
  if (table.name == nullptr) {                                                                           \
    throw StorageError(ErrorKind::unavailable, "the loaded libpq lacks " #name "; libpq 15 or newer is needed"); \
  }
  RANVIER_LIBPQ_FUNCTIONS(RANVIER_LIBPQ_RESOLVE)
#undef RANVIER_LIBPQ_RESOLVE
  // The handle stays open for the life of the process: the pointers above point into it.
  return table;
}

}  // namespace

const Libpq& libpq() {
  static const Libpq table = load();
  return table;
}

}  // namespace ranvier::storage::postgres
