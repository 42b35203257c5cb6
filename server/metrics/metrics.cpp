#include "metrics/metrics.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ranvier::metrics {

void Registry::record_request(std::string_view endpoint, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(endpoint), status}];
  std::size_t bucket = 0;
  while (bucket < latency_buckets.size() && seconds > latency_buckets[bucket]) {
    ++bucket;
  }
  ++latency_counts_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Registry::set_gauge_source(GaugeSource source) {
  std::lock_guard lock(mutex_);
  gauges_ = std::move(source);
}

std::string Registry::render() const {
  std::ostringstream out;
  GaugeSource gauges;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP ranvier_http_requests_total Finished HTTP requests by endpoint and status.\n"
           "# TYPE ranvier_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      out << "ranvier_http_requests_total{endpoint=\"" << key.first << "\",status=\"" << key.second << "\"} "
          << count << "\n";
    }
    out << "# HELP ranvier_http_request_duration_seconds Time from request read to response ready.\n"
           "# TYPE ranvier_http_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_counts_.size(); ++i) {
      cumulative += latency_counts_[i];
      out << "ranvier_http_request_duration_seconds_bucket{le=\"";
      if (i < latency_buckets.size()) {
        out << latency_buckets[i];
      } else {
        out << "+Inf";
      }
      out << "\"} " << cumulative << "\n";
    }
    out << "ranvier_http_request_duration_seconds_sum " << latency_sum_ << "\n"
        << "ranvier_http_request_duration_seconds_count " << latency_count_ << "\n";
    gauges = gauges_;
  }
  out << "# HELP ranvier_open_connections Currently open HTTP connections.\n"
         "# TYPE ranvier_open_connections gauge\n"
      << "ranvier_open_connections " << open_connections() << "\n"
      << "# HELP ranvier_process_resident_memory_bytes Resident set size.\n"
         "# TYPE ranvier_process_resident_memory_bytes gauge\n"
      << "ranvier_process_resident_memory_bytes " << resident_set_bytes() << "\n";
  if (gauges) {
    // Sorted by name, so the samples of one family (name before '{') are adjacent.
    std::string family;
    for (const auto& [name, value] : gauges()) {
      const auto this_family = name.substr(0, name.find('{'));
      if (this_family != family) {
        family = this_family;
        out << "# TYPE " << family << (family.ends_with("_total") ? " counter" : " gauge") << "\n";
      }
      out << name << " " << value << "\n";
    }
  }
  return out.str();
}

std::uint64_t resident_set_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  if (!(statm >> size >> resident)) {
    return 0;
  }
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace ranvier::metrics
