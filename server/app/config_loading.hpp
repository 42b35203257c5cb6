#pragma once
// Loading ranvier.yaml for a subcommand, with one wording and one exit status for a bad file.

#include "config/config.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace ranvier::app {

/// The exit status of a subcommand whose configuration file is unreadable or invalid.
inline constexpr int config_error_exit = 2;

/// Prints "ranvier <command>: config error: <why>" ("ranvier: ..." for an empty command) and
/// returns config_error_exit.
int report_config_error(std::string_view command, const config::ConfigError& error);

/// Loads the configuration file at `path`; on a config::ConfigError reports it as
/// report_config_error does and returns nothing (the caller exits with config_error_exit).
/// Other exceptions pass through, so each command keeps its own handling of them.
std::optional<config::Config> load_config_or_report(std::string_view command, const std::filesystem::path& path);

}  // namespace ranvier::app
