#include "api/coverage.hpp"

#include <array>
#include <map>
#include <string>
#include <utility>

namespace ranvier::api {
namespace {

constexpr std::array families{ApiFamily::client_server, ApiFamily::server_server,
                              ApiFamily::application_service, ApiFamily::push_gateway,
                              ApiFamily::identity};

struct Count {
  int handled = 0;
  int total = 0;

  void add(bool handled_now) {
    handled += handled_now ? 1 : 0;
    ++total;
  }
  std::string fraction() const { return std::to_string(handled) + "/" + std::to_string(total); }
};

}  // namespace

std::string coverage_report(std::span<const OperationCoverage> ops) {
  std::map<ApiFamily, Count> per_api;
  std::map<std::string_view, Count> per_file;  // sorted, so the listing is stable
  Count total;
  for (const auto& op : ops) {
    const bool handled = op.has_handler();
    per_api[op.api].add(handled);
    per_file[op.spec_file].add(handled);
    total.add(handled);
  }
  std::string out;
  for (auto api : families) {
    out += std::string(api_family_name(api)) + " " + per_api[api].fraction() + "\n";
  }
  out += "\n";
  for (const auto& [file, count] : per_file) {
    out += "  " + std::string(file) + " " + count.fraction() + "\n";
  }
  out += "\ncoverage:";
  for (auto api : families) {
    out += " " + std::string(api_family_name(api)) + "=" + per_api[api].fraction();
  }
  out += " total=" + total.fraction() + "\n";
  return out;
}

}  // namespace ranvier::api
