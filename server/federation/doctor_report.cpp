#include "federation/doctor_report.hpp"

#include <algorithm>
#include <sstream>

namespace ranvier::federation::doctor {
namespace {

/// Reasons quote what remote servers sent (version names, headers, certificate names): control
/// characters are replaced so a hostile answer cannot drive the operator's terminal.
std::string printable(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::pass:
      return "PASS";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
  }
  return "?";
}

bool Report::failed() const {
  return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.status == Status::fail; });
}

int exit_code(const Report& report) { return report.failed() ? 1 : 0; }

std::string render_text(const Report& report) {
  std::size_t width = 0;
  for (const auto& step : report.steps) {
    width = std::max(width, step.name.size());
  }
  std::ostringstream out;
  out << "ranvier doctor: " << report.server_name << "\n";
  int counts[4] = {0, 0, 0, 0};
  for (const auto& step : report.steps) {
    ++counts[static_cast<int>(step.status)];
    out << to_string(step.status) << "  " << step.name << std::string(width - step.name.size() + 2, ' ')
        << printable(step.reason) << "\n";
    if (!step.fix.empty() && (step.status == Status::fail || step.status == Status::warn)) {
      out << "      fix: " << printable(step.fix) << "\n";
    }
  }
  out << (report.failed() ? "FAILED" : "OK") << ": " << counts[0] << " passed, " << counts[1] << " warnings, "
      << counts[2] << " failed, " << counts[3] << " skipped\n";
  return out.str();
}

nlohmann::json render_json(const Report& report) {
  auto steps = nlohmann::json::array();
  for (const auto& step : report.steps) {
    nlohmann::json s{{"name", step.name}, {"status", to_string(step.status)}, {"reason", step.reason}};
    if (!step.fix.empty()) {
      s["fix"] = step.fix;
    }
    steps.push_back(std::move(s));
  }
  return {{"server_name", report.server_name}, {"ok", !report.failed()}, {"steps", std::move(steps)}};
}

}  // namespace ranvier::federation::doctor
