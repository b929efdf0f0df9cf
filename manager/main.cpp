// cascade-manager: registry, release signer, tracker and admin API.

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include <boost/asio/signal_set.hpp>

#include "common/http_client.hpp"
#include "common/log.hpp"
#include "manager/manager_init.hpp"
#include "manager/manager_service.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  cascade-manager init --data DIR [--listen ADDRESS:PORT] [--public-url URL]
                       [--origin-url URL] [--origin-root DIR]
  cascade-manager run --data DIR

init creates DIR with the registry, signing keys, admin.token and
enrolment.token. run serves the admin API, the node API and the tracker
on the address in DIR/manager.conf.
)";

int fail(const std::string& message) {
  std::cerr << "cascade-manager: " << message << "\n";
  return 1;
}

// Parses "--name value" pairs; returns false on a flag without a value.
bool parse_flags(int argc, char** argv, int first, std::map<std::string, std::string>& flags) {
  for (int i = first; i < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) {
      return false;
    }
    flags[name.substr(2)] = argv[i + 1];
  }
  return true;
}

int run_init(const std::map<std::string, std::string>& flags) {
  using namespace cascade::manager;
  ManagerConfig config;
  if (auto listen = flags.find("listen"); listen != flags.end()) {
    auto colon = listen->second.rfind(':');
    if (colon == std::string::npos) {
      return fail("invalid --listen '" + listen->second + "': expected ADDRESS:PORT");
    }
    config.listen_address = listen->second.substr(0, colon);
    const std::string port = listen->second.substr(colon + 1);
    const bool digits = !port.empty() && port.size() <= 5 &&
                        port.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return fail("invalid --listen '" + listen->second + "': the port must be 1 to 65535");
    }
    config.listen_port = static_cast<std::uint16_t>(std::stoi(port));
    boost::system::error_code address_error;
    boost::asio::ip::make_address(config.listen_address, address_error);
    if (address_error) {
      return fail("invalid --listen '" + listen->second + "': '" + config.listen_address +
                  "' is not an IP address");
    }
  }
  config.public_url = "http://" + config.listen_address + ":" + std::to_string(config.listen_port);
  if (auto url = flags.find("public-url"); url != flags.end()) config.public_url = url->second;
  if (auto url = flags.find("origin-url"); url != flags.end()) {
    if (auto parsed = cascade::http::Url::parse(url->second); !parsed) {
      return fail("invalid --origin-url: " + parsed.error().message);
    }
    config.origin_url = url->second;
  }
  if (auto root = flags.find("origin-root"); root != flags.end()) config.origin_root = root->second;

  ManagerPaths paths(flags.at("data"));
  if (auto status = initialise_data_dir(paths, config); !status) {
    return fail(status.error().message);
  }
  std::cout << "initialised " << paths.data_dir << "\n"
            << "  admin token:     " << paths.admin_token() << "\n"
            << "  enrolment token: " << paths.enrolment_token() << "\n"
            << "  settings:        " << paths.config() << "\n";
  return 0;
}

int run_serve(const std::string& data_dir) {
  using namespace cascade;
  boost::asio::io_context io;
  auto state = manager::open_manager(io, data_dir);
  if (!state) {
    return fail(state.error().message);
  }
  auto& manager_state = **state;
  if (!set_log_level(manager_state.config.log_level)) {
    return fail("invalid log_level '" + manager_state.config.log_level +
                "': expected debug, info, warn or error");
  }
  auto log = component_logger("manager");
  http::Server server(io, [&manager_state](http::Request&& request,
                                           const http::RequestContext& context,
                                           http::Responder respond) {
    manager::handle_request(manager_state, std::move(request), context, std::move(respond));
  });
  auto endpoint =
      server.listen(manager_state.config.listen_address, manager_state.config.listen_port);
  if (!endpoint) {
    return fail(endpoint.error().message);
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log->info("manager stopping signal={}", signal);
    server.stop();
    io.stop();
  });
  log->info("manager started listen={}:{} public_url={} origin_url={}",
            endpoint->address().to_string(), endpoint->port(), manager_state.config.public_url,
            manager_state.config.origin_url);
  io.run();
  log->info("manager stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  std::map<std::string, std::string> flags;
  if (command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (!parse_flags(argc, argv, 2, flags) || !flags.count("data")) {
    std::cerr << kUsage;
    return 2;
  }
  for (const auto& [name, value] : flags) {
    const bool known = name == "data" || (command == "init" && (name == "listen" ||
                                                               name == "public-url" ||
                                                               name == "origin-url" ||
                                                               name == "origin-root"));
    if (!known) {
      return fail("unknown option --" + name + " for `" + command + "`; see --help");
    }
  }
  try {
    if (command == "init") {
      return run_init(flags);
    }
    if (command == "run") {
      return run_serve(flags.at("data"));
    }
  } catch (const std::exception& error) {
    return fail(std::string("unexpected error: ") + error.what());
  }
  std::cerr << kUsage;
  return 2;
}
