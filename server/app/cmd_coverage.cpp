// `ranvier coverage`: how many of the spec's operations have handlers, from the same table the
// router serves (format: docs/coverage.md).

#include "api/coverage.hpp"
#include "app/args.hpp"
#include "app/commands.hpp"

#include <iostream>

namespace ranvier::app {

int run_coverage(int argc, char** argv) {
  Args args("coverage", "Prints, per API and per spec file, how many operations have handlers.");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  std::cout << api::coverage_report();
  return 0;
}

}  // namespace ranvier::app
