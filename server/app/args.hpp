#pragma once
// A small command-line parser for the `ranvier` subcommands: `--name value` options and
// `--flag` switches, each declared with its help text so `--help` is never out of date.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ranvier::app {

class Args {
 public:
  Args(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

  /// Declares `--name VALUE`. Required options without a value make parse() fail.
  Args& option(const std::string& name, const std::string& help, bool required = false);
  /// Declares a `--name` switch.
  Args& flag(const std::string& name, const std::string& help);

  /// Parses argv after the subcommand. Returns false (after printing why, or the help) when the
  /// command should exit; `exit_code` then says with which status.
  bool parse(int argc, char** argv, int& exit_code);

  std::optional<std::string> get(const std::string& name) const;
  std::string value(const std::string& name) const { return get(name).value_or(""); }
  bool has(const std::string& name) const;
  std::string help() const;

 private:
  struct Spec {
    std::string name;
    std::string help;
    bool takes_value;
    bool required;
  };
  std::string command_;
  std::string summary_;
  std::vector<Spec> specs_;
  std::map<std::string, std::string> values_;
};

}  // namespace ranvier::app
