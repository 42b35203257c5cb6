#pragma once
// Runs pg_dump and pg_restore (from Debian's postgresql-client) for backup and restore.

#include <string>
#include <vector>

namespace ranvier::storage::migrate {

/// How a program ended.
struct ProgramResult {
  /// The exit status; -1 when it could not be started or was killed by a signal.
  int status = -1;
  /// What it wrote to stderr (and stdout), for the error message.
  std::string output;
};

/// Runs `argv` (argv[0] looked up in PATH) to completion, its output captured.
ProgramResult run_program(const std::vector<std::string>& argv);

}  // namespace ranvier::storage::migrate
