#include "federation/system_dns.hpp"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <array>
#include <cstring>

namespace ranvier::federation {

std::vector<SrvRecord> SystemSrvResolver::lookup(const std::string& name) {
  std::vector<SrvRecord> records;
  // A resolver state per call: res_nquery on a private state is thread-safe.
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) {
    return records;
  }
  std::array<unsigned char, 4096> answer{};
  const int length = res_nquery(&state, name.c_str(), ns_c_in, ns_t_srv, answer.data(), answer.size());
  ns_msg message;
  if (length > 0 && ns_initparse(answer.data(), length, &message) == 0) {
    const int count = ns_msg_count(message, ns_s_an);
    for (int i = 0; i < count; ++i) {
      ns_rr rr;
      if (ns_parserr(&message, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) {
        continue;
      }
      const unsigned char* data = ns_rr_rdata(rr);
      SrvRecord record;
      record.priority = static_cast<std::uint16_t>(ns_get16(data));
      record.weight = static_cast<std::uint16_t>(ns_get16(data + 2));
      record.port = static_cast<std::uint16_t>(ns_get16(data + 4));
      std::array<char, NS_MAXDNAME> target{};
      if (ns_name_uncompress(ns_msg_base(message), ns_msg_end(message), data + 6, target.data(), target.size()) < 0) {
        continue;
      }
      record.target = target.data();
      if (record.target.empty()) {
        record.target = ".";
      }
      records.push_back(std::move(record));
    }
  }
  res_nclose(&state);
  return records;
}

}  // namespace ranvier::federation
