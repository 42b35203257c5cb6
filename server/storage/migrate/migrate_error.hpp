#pragma once
// The one error type of `ranvier migrate-db`, `backup` and `restore`: the message is meant for
// the operator as it stands (what failed, on which table or file, and what to do).

#include <stdexcept>
#include <string>

namespace ranvier::storage::migrate {

/// A migration, backup or restore cannot go on; what() says why.
class MigrateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ranvier::storage::migrate
