// cascade-node: the daemon on every managed machine.

#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "common/log.hpp"
#include "node/manager_client.hpp"
#include "node/node_daemon.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  cascade-node enrol --config FILE (--token TOKEN | --token-file FILE)
  cascade-node run --config FILE

The configuration file holds `key = value` lines:
  manager_url = http://127.0.0.1:7000   manager's node API and tracker
  data_dir = /var/lib/cascade           identity, staging and releases
  listen_address = 127.0.0.2            address the BitTorrent session binds
  listen_port = 6881                    its TCP port
  hostname = NAME                       optional; the host name by default
  log_level = info                      debug, info, warn or error
  upload_limit = 0                      bytes per second to all peers; 0 for none
)";

std::atomic<bool> stop_requested{false};

void on_signal(int) { stop_requested = true; }

int fail(const std::string& message) {
  std::cerr << "cascade-node: " << message << "\n";
  return 1;
}

int run_enrol(const cascade::node::NodeConfig& config, std::map<std::string, std::string>& flags) {
  std::string token = flags["token"];
  if (token.empty() && flags.count("token-file")) {
    std::ifstream in(flags["token-file"]);
    in >> token;
    if (token.empty()) {
      return fail("cannot read an enrolment token from " + flags["token-file"]);
    }
  }
  if (token.empty()) {
    return fail("missing --token or --token-file: copy enrolment.token from the manager");
  }
  auto enrolment = cascade::node::enrol(config, token);
  if (!enrolment) {
    return fail(enrolment.error().message);
  }
  std::cout << "enrolled node " << enrolment->node_id << " with " << config.manager_url << "\n";
  return 0;
}

int run_daemon(const cascade::node::NodeConfig& config) {
  using namespace cascade;
  auto enrolment = node::Enrolment::load(config.enrolment_path());
  if (!enrolment) {
    return fail(enrolment.error().message);
  }
  if (auto status = crypto::initialise(); !status) {
    return fail(status.error().message);
  }
  auto identity = crypto::load_key_pair(config.identity_key_path());
  if (!identity) {
    return fail(identity.error().message);
  }
  auto manager = http::Url::parse(config.manager_url);
  if (!manager) {
    return fail(manager.error().message);
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  node::NodeDaemon daemon(config, *manager, *enrolment, *identity);
  if (auto status = daemon.run(stop_requested); !status) {
    return fail(status.error().message);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--help") {
    std::cout << kUsage;
    return 0;
  }
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) {
      std::cerr << kUsage;
      return 2;
    }
    flags[name.substr(2)] = argv[i + 1];
  }
  if (!flags.count("config") || (argc % 2) != 0) {
    std::cerr << kUsage;
    return 2;
  }
  auto config = cascade::node::NodeConfig::load(flags["config"]);
  if (!config) {
    return fail(config.error().message);
  }
  if (!cascade::set_log_level(config->log_level)) {
    return fail("invalid log_level '" + config->log_level + "': expected debug, info, warn or error");
  }
  try {
    if (command == "enrol") {
      return run_enrol(*config, flags);
    }
    if (command == "run") {
      return run_daemon(*config);
    }
  } catch (const std::exception& error) {
    return fail(std::string("unexpected error: ") + error.what());
  }
  std::cerr << kUsage;
  return 2;
}
