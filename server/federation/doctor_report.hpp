#pragma once
// The result of `ranvier doctor`: one line per check with its verdict, the reason, and for a
// failure what an operator should change. Rendered as text for people or JSON for scripts.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ranvier::federation::doctor {

/// A check's verdict. `skip`: an earlier failure left nothing to check.
enum class Status { pass, warn, fail, skip };

/// "PASS", "WARN", "FAIL" or "SKIP".
std::string_view to_string(Status status);

/// One check's outcome.
struct Step {
  std::string name;    ///< short, stable: "delegation", "tls", "keys", ...
  Status status = Status::pass;
  std::string reason;  ///< what was found
  std::string fix;     ///< what to change (failures and warnings; may be empty)
};

/// Every step of one run, in order.
struct Report {
  std::string server_name;
  std::vector<Step> steps;

  void add(Step step) { steps.push_back(std::move(step)); }
  /// Whether any step failed.
  bool failed() const;
};

/// 0 when nothing failed, 1 otherwise (warnings do not fail a run).
int exit_code(const Report& report);

/// Lines like `PASS  tls        certificate for example.org ...`, with `      fix: ...` under
/// failures and warnings, and a summary line.
std::string render_text(const Report& report);

/// {"server_name", "ok", "steps": [{"name", "status", "reason", "fix"?}]}. Reasons may quote
/// bytes a remote sent: serialise with an error handler that replaces invalid UTF-8.
nlohmann::json render_json(const Report& report);

}  // namespace ranvier::federation::doctor
