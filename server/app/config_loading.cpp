#include "app/config_loading.hpp"

#include <iostream>

namespace ranvier::app {

int report_config_error(std::string_view command, const config::ConfigError& error) {
  std::cerr << "ranvier" << (command.empty() ? "" : " ") << command << ": config error: " << error.what() << "\n";
  return config_error_exit;
}

std::optional<config::Config> load_config_or_report(std::string_view command, const std::filesystem::path& path) {
  try {
    return config::load_config(path);
  } catch (const config::ConfigError& error) {
    report_config_error(command, error);
    return std::nullopt;
  }
}

}  // namespace ranvier::app
