// cascadectl: the administrator's client of the manager's admin API.

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"

namespace {

constexpr const char* kUsage = R"(usage: cascadectl [--manager URL] [--token-file FILE] [--json] COMMAND

commands:
  group list
  group create NAME [--parent GROUP] [--proxy URL] [--peer-sharing]
  group update NAME [--parent GROUP | --primary] [--proxy URL] [--peer-sharing on|off]
  group delete NAME
  node list
  relay enable NODE --group GROUP     NODE is a node id or host name
  relay disable NODE
  agent assign NODE --group GROUP
  release publish DIR --name NAME --version VERSION
  release list
  status                              per release: nodes done, in progress,
                                      failed; bytes from the origin; bytes
                                      each group pulled from outside itself

--manager defaults to $CASCADE_MANAGER, then http://127.0.0.1:7000.
--token-file defaults to $CASCADE_ADMIN_TOKEN_FILE; it holds the manager's
admin.token. --json prints the manager's JSON reply for scripts.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace cascade;
  cli::Arguments arguments;
  const char* env_manager = std::getenv("CASCADE_MANAGER");
  const char* env_token = std::getenv("CASCADE_ADMIN_TOKEN_FILE");
  std::string manager = env_manager ? env_manager : "http://127.0.0.1:7000";
  std::string token_file = env_token ? env_token : "";

  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--help" || word == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (word == "--json") {
      arguments.json = true;
    } else if (word == "--primary") {
      arguments.options["primary"] = "true";
    } else if (word == "--peer-sharing" &&
               (i + 1 >= argc || (std::string(argv[i + 1]) != "on" &&
                                  std::string(argv[i + 1]) != "off"))) {
      arguments.options["peer-sharing"] = "true";
    } else if (word.rfind("--", 0) == 0) {
      if (i + 1 >= argc) {
        std::cerr << "cascadectl: option " << word << " needs a value\n";
        return 2;
      }
      arguments.options[word.substr(2)] = argv[++i];
    } else {
      arguments.words.push_back(word);
    }
  }
  manager = arguments.option("manager", manager);
  token_file = arguments.option("token-file", token_file);
  if (arguments.words.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (token_file.empty()) {
    std::cerr << "cascadectl: missing --token-file (or $CASCADE_ADMIN_TOKEN_FILE): "
                 "point it at the manager's admin.token\n";
    return 2;
  }
  std::ifstream in(token_file);
  std::string token;
  in >> token;
  if (token.empty()) {
    std::cerr << "cascadectl: cannot read an admin token from " << token_file << "\n";
    return 2;
  }
  auto url = http::Url::parse(manager);
  if (!url) {
    std::cerr << "cascadectl: " << url.error().message << "\n";
    return 2;
  }
  cli::AdminClient client(*url, token);
  return cli::run_command(client, arguments);
}
