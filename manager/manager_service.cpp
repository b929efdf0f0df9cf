#include "manager/manager_service.hpp"

#include "common/log.hpp"
#include "manager/manager_init.hpp"

namespace cascade::manager {

namespace http_status = boost::beast::http;

ManagerState::ManagerState(boost::asio::io_context& io_context, ManagerPaths manager_paths,
                           ManagerConfig manager_config, std::unique_ptr<Registry> opened,
                           crypto::KeyPair key, std::string admin, std::string enrolment)
    : io(io_context),
      paths(std::move(manager_paths)),
      config(std::move(manager_config)),
      registry(std::move(opened)),
      directory(*registry),
      targets_key(key),
      admin_token(std::move(admin)),
      enrolment_token(std::move(enrolment)),
      hub(io_context, std::chrono::seconds(25)),
      tracker(directory, [] { return tracker::SwarmTable::Clock::now(); }, std::random_device{}()) {}

void ManagerState::changed() {
  if (auto status = directory.refresh(); !status) {
    component_logger("manager")->error("tracker view refresh failed error=\"{}\"",
                                       status.error().message);
  }
  hub.bump();
}

Result<std::shared_ptr<const RegistrySnapshot>> ManagerState::snapshot() {
  if (cached_snapshot && snapshot_sequence == hub.sequence()) {
    return cached_snapshot;
  }
  auto fresh = std::make_shared<RegistrySnapshot>();
  RegistrySnapshot& snapshot = *fresh;
  auto groups = registry->list_groups();
  auto nodes = registry->list_nodes();
  auto releases = registry->list_releases();
  if (!groups) return groups.error();
  if (!nodes) return nodes.error();
  if (!releases) return releases.error();
  snapshot.groups = std::move(*groups);
  snapshot.nodes = std::move(*nodes);
  snapshot.releases = std::move(*releases);
  for (const auto& release : snapshot.releases) {
    auto statuses = registry->list_status(release.name, release.version);
    if (!statuses) return statuses.error();
    auto& reporters = snapshot.reporters[release.name + "/" + release.version];
    for (const auto& status : *statuses) {
      reporters.insert(status.node_id);
    }
  }
  snapshot.now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  cached_snapshot = fresh;
  snapshot_sequence = hub.sequence();
  return cached_snapshot;
}

void handle_request(ManagerState& state, http::Request&& request,
                    const http::RequestContext& context, http::Responder respond) {
  const std::string target(request.target());
  if (target.rfind("/announce", 0) == 0) {
    auto body = state.tracker.handle_announce(target);
    respond(http::make_response(request, http_status::status::ok, std::move(body),
                                "text/plain"));
    return;
  }
  if (handle_node_request(state, request, context, respond)) {
    return;
  }
  if (handle_admin_request(state, request, respond)) {
    return;
  }
  respond(http::make_error_response(request, http_status::status::not_found,
                                    "no such endpoint: " + std::string(request.method_string()) +
                                        " " + target));
}

Result<std::unique_ptr<ManagerState>> open_manager(boost::asio::io_context& io,
                                                   const std::string& data_dir) {
  ManagerPaths paths(data_dir);
  auto config = ManagerConfig::load(paths.config());
  if (!config) {
    return make_error("open manager data " + data_dir,
                      config.error().message + " (run `cascade-manager init --data DIR` first)");
  }
  if (auto status = crypto::initialise(); !status) {
    return status.error();
  }
  auto key = crypto::load_key_pair(paths.targets_key());
  if (!key) return key.error();
  auto admin = read_token(paths.admin_token());
  if (!admin) return admin.error();
  auto enrolment = read_token(paths.enrolment_token());
  if (!enrolment) return enrolment.error();
  auto registry = Registry::open(paths.registry());
  if (!registry) return registry.error();

  auto state = std::make_unique<ManagerState>(io, paths, *config, std::move(*registry), *key,
                                              *admin, *enrolment);
  if (auto status = state->directory.refresh(); !status) {
    return status.error();
  }
  return state;
}

}  // namespace cascade::manager
