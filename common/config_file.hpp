#pragma once

#include <initializer_list>
#include <map>
#include <string>

#include "common/result.hpp"

namespace cascade {

// Settings read from a file of `key = value` lines. Blank lines and lines
// starting with '#' are skipped.
class ConfigFile {
 public:
  static Result<ConfigFile> load(const std::string& path);
  static Result<ConfigFile> parse(const std::string& text, const std::string& origin);

  // Returns the value of a required key, or an error naming the key and file.
  Result<std::string> require(const std::string& key) const;
  std::string get(const std::string& key, const std::string& fallback) const;
  Result<int> get_int(const std::string& key, int fallback) const;

  const std::map<std::string, std::string>& values() const { return values_; }

  // Returns an error naming the first key not in `known`, so a misspelt
  // key is reported instead of silently replaced by its default.
  Status reject_unknown(std::initializer_list<const char*> known) const;

 private:
  std::string origin_;
  std::map<std::string, std::string> values_;
};

}  // namespace cascade
