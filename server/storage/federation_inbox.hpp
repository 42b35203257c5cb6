#pragma once
// Transactions other servers pushed to this one (server-server API, `PUT /send/{txnId}`): the
// answer given to each, by origin and transaction ID, so that a retried transaction gets the
// same answer without its PDUs and EDUs being processed twice.

#include "storage/accounts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {

/// One received transaction and the answer it got.
struct InboundTransaction {
  std::string origin;
  std::string txn_id;
  /// The JSON response body sent back.
  std::string response;
  /// Milliseconds since the epoch.
  std::int64_t received_ts = 0;

  bool operator==(const InboundTransaction&) const = default;
};

class FederationInboxReads {
 public:
  virtual ~FederationInboxReads() = default;
  /// The answer given to an earlier transaction with this ID from `origin`.
  virtual std::optional<std::string> transaction_response(std::string_view origin, std::string_view txn_id) = 0;
};

class FederationInboxStore : public FederationInboxReads {
 public:
  /// Remembers a transaction's answer; `exists` and no change if the ID was seen from that origin.
  virtual CreateResult record_transaction(const InboundTransaction& transaction) = 0;
  /// Forgets transactions received before `before_ts`; returns how many.
  virtual std::int64_t forget_transactions_before(std::int64_t before_ts) = 0;
};

}  // namespace ranvier::storage
