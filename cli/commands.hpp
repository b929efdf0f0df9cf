#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/admin_client.hpp"

namespace cascade::cli {

// Parsed command line: positional words and --name value options.
// Flags without a value (--json, --peer-sharing) map to "true".
struct Arguments {
  std::vector<std::string> words;
  std::map<std::string, std::string> options;
  bool json = false;

  std::string option(const std::string& name, const std::string& fallback = "") const {
    auto found = options.find(name);
    return found == options.end() ? fallback : found->second;
  }
};

// Runs one command (words[0] words[1] ...) and returns the exit code:
// 0 on success, 1 when the manager rejected it, 2 on a usage error.
int run_command(AdminClient& client, const Arguments& arguments);

}  // namespace cascade::cli
