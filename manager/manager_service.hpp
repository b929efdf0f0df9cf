#pragma once

#include <memory>
#include <random>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/http_server.hpp"
#include "crypto/keys.hpp"
#include "manager/directive_hub.hpp"
#include "manager/directive_planner.hpp"
#include "manager/manager_config.hpp"
#include "manager/registry.hpp"
#include "manager/registry_directory.hpp"
#include "tracker/tracker.hpp"

namespace cascade::manager {

// Everything the manager's request handlers share. Lives on the server's
// io_context thread; only release builds run on a worker thread, and they
// touch none of this.
struct ManagerState {
  ManagerState(boost::asio::io_context& io, ManagerPaths paths, ManagerConfig config,
               std::unique_ptr<Registry> registry, crypto::KeyPair targets_key,
               std::string admin_token, std::string enrolment_token);

  // Reloads the tracker's view and wakes long-polling nodes; call after
  // every registry change that can alter peers or directives.
  void changed();
  // Registry snapshot for the current directive sequence. A change wakes
  // every long-polling node at once, so all of them share one snapshot
  // instead of each reading the whole registry.
  Result<std::shared_ptr<const RegistrySnapshot>> snapshot();

  boost::asio::io_context& io;
  ManagerPaths paths;
  ManagerConfig config;
  std::unique_ptr<Registry> registry;
  RegistryDirectory directory;
  crypto::KeyPair targets_key;
  std::string admin_token;
  std::string enrolment_token;
  DirectiveHub hub;
  tracker::Tracker tracker;
  bool publishing = false;
  // "NODE NAME/VERSION" of relay reports seen since start; a relay's first
  // report on a release may release it to the agents of its group.
  std::set<std::string> relay_reports_seen;
  std::uint64_t snapshot_sequence = 0;
  std::shared_ptr<const RegistrySnapshot> cached_snapshot;
};

// Routes a request to the node API, the admin API or the tracker.
void handle_request(ManagerState& state, http::Request&& request,
                    const http::RequestContext& context, http::Responder respond);

// Node API: /v1/node/... (protobuf). Returns false if the path is not its own.
bool handle_node_request(ManagerState& state, http::Request& request,
                         const http::RequestContext& context, http::Responder& respond);
// Admin API: /v1/... (JSON, admin token). Returns false if the path is not its own.
bool handle_admin_request(ManagerState& state, http::Request& request, http::Responder& respond);

// Opens the data directory written by `init` and loads keys and tokens.
Result<std::unique_ptr<ManagerState>> open_manager(boost::asio::io_context& io,
                                                   const std::string& data_dir);

}  // namespace cascade::manager
