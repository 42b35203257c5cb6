#pragma once
// Invariant checks inside fuzz targets: a violated invariant must crash so libFuzzer records it.

#include <cstdio>
#include <cstdlib>

#define FUZZ_ASSERT(cond)                                                       \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                             \
    }                                                                           \
  } while (false)
