#include "app/args.hpp"

#include <iostream>
#include <sstream>

namespace ranvier::app {

Args& Args::option(const std::string& name, const std::string& help, bool required) {
  specs_.push_back({name, help, true, required});
  return *this;
}

Args& Args::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, help, false, false});
  return *this;
}

std::string Args::help() const {
  std::ostringstream out;
  out << "usage: ranvier " << command_;
  for (const auto& s : specs_) {
    out << (s.required ? " " : " [") << "--" << s.name << (s.takes_value ? " VALUE" : "") << (s.required ? "" : "]");
  }
  out << "\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& s : specs_) {
    out << "  --" << s.name << (s.takes_value ? " VALUE" : "") << "\n      " << s.help << "\n";
  }
  out << "  --help\n      show this help\n";
  return out.str();
}

bool Args::parse(int argc, char** argv, int& exit_code) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << help();
      exit_code = 0;
      return false;
    }
    if (!arg.starts_with("--")) {
      std::cerr << "ranvier " << command_ << ": unexpected argument '" << arg << "'\n\n" << help();
      exit_code = 2;
      return false;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Spec* spec = nullptr;
    for (const auto& s : specs_) {
      if (s.name == name) {
        spec = &s;
      }
    }
    if (!spec) {
      std::cerr << "ranvier " << command_ << ": unknown option --" << name << "\n\n" << help();
      exit_code = 2;
      return false;
    }
    if (!spec->takes_value) {
      values_[name] = "true";
      continue;
    }
    if (inline_value) {
      values_[name] = *inline_value;
    } else if (i + 1 < argc) {
      values_[name] = argv[++i];
    } else {
      std::cerr << "ranvier " << command_ << ": --" << name << " needs a value\n";
      exit_code = 2;
      return false;
    }
  }
  for (const auto& s : specs_) {
    if (s.required && !values_.contains(s.name)) {
      std::cerr << "ranvier " << command_ << ": --" << s.name << " is required\n\n" << help();
      exit_code = 2;
      return false;
    }
  }
  return true;
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool Args::has(const std::string& name) const { return values_.contains(name); }

}  // namespace ranvier::app
