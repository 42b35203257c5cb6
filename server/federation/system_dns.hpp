#pragma once
// SRV look-ups through the system resolver (libresolv's res_nquery), as configured in
// /etc/resolv.conf. Blocking; called from worker threads.

#include "federation/discovery.hpp"

namespace ranvier::federation {

class SystemSrvResolver final : public SrvResolver {
 public:
  std::vector<SrvRecord> lookup(const std::string& name) override;
};

}  // namespace ranvier::federation
