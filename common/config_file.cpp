#include "common/config_file.hpp"

#include <fstream>
#include <sstream>

namespace cascade {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

Result<ConfigFile> ConfigFile::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error("read config " + path, "cannot open the file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

Result<ConfigFile> ConfigFile::parse(const std::string& text, const std::string& origin) {
  ConfigFile config;
  config.origin_ = origin;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const auto content = trim(line);
    if (content.empty() || content[0] == '#') {
      continue;
    }
    const auto equals = content.find('=');
    if (equals == std::string::npos) {
      return make_error("read config " + origin,
                        "line " + std::to_string(number) + " has no '=': expected `key = value`");
    }
    config.values_[trim(content.substr(0, equals))] = trim(content.substr(equals + 1));
  }
  return config;
}

Status ConfigFile::reject_unknown(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : values_) {
    bool found = false;
    std::string names;
    for (const char* name : known) {
      found = found || key == name;
      names += names.empty() ? name : std::string(", ") + name;
    }
    if (!found) {
      return make_error("read config " + origin_,
                        "unknown key '" + key + "'; known keys are " + names);
    }
  }
  return ok_status();
}

Result<std::string> ConfigFile::require(const std::string& key) const {
  auto found = values_.find(key);
  if (found == values_.end() || found->second.empty()) {
    return make_error("read config " + origin_, "missing required key '" + key + "'");
  }
  return found->second;
}

std::string ConfigFile::get(const std::string& key, const std::string& fallback) const {
  auto found = values_.find(key);
  return found == values_.end() ? fallback : found->second;
}

Result<int> ConfigFile::get_int(const std::string& key, int fallback) const {
  auto found = values_.find(key);
  if (found == values_.end()) {
    return fallback;
  }
  try {
    size_t used = 0;
    int value = std::stoi(found->second, &used);
    if (used == found->second.size()) {
      return value;
    }
  } catch (const std::exception&) {
  }
  return make_error("read config " + origin_,
                    "key '" + key + "' is '" + found->second + "', expected an integer");
}

}  // namespace cascade
