// Node API: enrolment, directives (long poll), release files and reports.
// Bodies are protobuf; every call but enrolment is signed by the node.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "proto/cascade.pb.h"
#include "common/log.hpp"
#include "crypto/request_auth.hpp"
#include "manager/manager_init.hpp"
#include "manager/manager_service.hpp"

namespace cascade::manager {

namespace beast_http = boost::beast::http;
using beast_http::status;

namespace {

constexpr std::int64_t kMaxClockSkewSeconds = 300;
constexpr const char* kProtobuf = "application/x-protobuf";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool valid_address(const std::string& text) {
  boost::system::error_code error;
  boost::asio::ip::make_address(text, error);
  return !error;
}

// Checks the request's signature header; returns the node or an error
// message fit for the response.
Result<Node> authenticate(ManagerState& state, const http::Request& request) {
  auto header = request[crypto::kNodeAuthHeader];
  if (header.empty()) {
    return Error{std::string("missing ") + crypto::kNodeAuthHeader + " header; enrol the node first"};
  }
  auto auth = crypto::parse_auth_header(std::string(header));
  if (!auth) {
    return auth.error();
  }
  auto node = state.registry->get_node(auth->node_id);
  if (!node) {
    return Error{"unknown node '" + auth->node_id + "'; re-enrol it"};
  }
  if (node->state != NodeState::active) {
    return Error{"node '" + auth->node_id + "' is revoked"};
  }
  if (std::llabs(unix_now() - auth->timestamp) > kMaxClockSkewSeconds) {
    return Error{"request timestamp is more than 300 s off the manager's clock; fix the node's clock"};
  }
  auto key = crypto::public_key_from_hex(node->public_key_hex);
  if (!key) {
    return key.error();
  }
  auto message = crypto::request_signing_message(std::string(request.method_string()),
                                                 std::string(request.target()), auth->timestamp,
                                                 request.body());
  if (!crypto::verify(*key, message, auth->signature)) {
    return Error{"bad request signature for node '" + auth->node_id + "'"};
  }
  return node;
}

void enrol(ManagerState& state, http::Request& request, const http::RequestContext& context,
           http::Responder& respond) {
  auto log = component_logger("manager");
  proto::EnrolRequest enrol_request;
  if (!enrol_request.ParseFromString(request.body())) {
    respond(http::make_error_response(request, status::bad_request,
                                      "malformed enrol request: expected a protobuf EnrolRequest"));
    return;
  }
  const auto& token = enrol_request.enrolment_token();
  if (token.size() != state.enrolment_token.size() ||
      sodium_memcmp(token.data(), state.enrolment_token.data(), token.size()) != 0) {
    log->warn("enrol rejected remote={} reason=\"wrong enrolment token\"",
              context.remote_address.to_string());
    respond(http::make_error_response(request, status::forbidden,
                                      "wrong enrolment token; copy it from the manager's "
                                      "enrolment.token file"));
    return;
  }
  if (enrol_request.public_key().size() != 32) {
    respond(http::make_error_response(request, status::bad_request,
                                      "public_key must be a 32-byte Ed25519 key"));
    return;
  }
  if (!valid_address(enrol_request.address()) || enrol_request.listen_port() == 0 ||
      enrol_request.listen_port() > 65535) {
    respond(http::make_error_response(
        request, status::bad_request,
        "invalid listen address '" + enrol_request.address() + "' or port " +
            std::to_string(enrol_request.listen_port())));
    return;
  }

  Node node;
  node.id = "n" + random_token(8);
  node.public_key_hex = crypto::to_hex(enrol_request.public_key());
  node.announce_key = random_token(16);
  node.hostname = enrol_request.hostname();
  node.address = enrol_request.address();
  node.port = static_cast<std::uint16_t>(enrol_request.listen_port());
  node.role = NodeRole::agent;
  // TODO: assignment rules (subnet, hostname pattern) at enrolment; every
  // node starts in the default group until an administrator assigns it.
  node.group = kDefaultGroup;
  node.enrolled_at = unix_now();
  if (auto added = state.registry->add_node(node); !added) {
    log->error("enrol failed hostname={} error=\"{}\"", node.hostname, added.error().message);
    respond(http::make_error_response(request, status::internal_server_error,
                                      added.error().message));
    return;
  }
  state.changed();
  log->info("node enrolled node={} hostname={} address={}:{}", node.id, node.hostname,
            node.address, node.port);

  proto::EnrolResponse response;
  response.set_node_id(node.id);
  response.set_announce_url(state.config.announce_base() + "/" + node.announce_key);
  response.set_targets_public_key(std::string(
      reinterpret_cast<const char*>(state.targets_key.public_key.data()), 32));
  response.set_group(node.group);
  respond(http::make_response(request, status::ok, response.SerializeAsString(), kProtobuf));
}

void directives(ManagerState& state, http::Request& request, const Node& node,
                http::Responder& respond) {
  std::uint64_t after = 0;
  const std::string target(request.target());
  auto query = target.find('?');
  if (query != std::string::npos) {
    const std::string parameters = "&" + target.substr(query + 1);
    auto found = parameters.find("&after=");
    if (found != std::string::npos) {
      auto value = parameters.substr(found + 7, parameters.find('&', found + 1) - found - 7);
      const bool digits = !value.empty() && value.size() <= 19 &&
                          value.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        respond(http::make_error_response(request, status::bad_request,
                                          "invalid 'after': expected a sequence number"));
        return;
      }
      after = std::stoull(value);
    }
  }
  // The request outlives this call when it waits, so the callback owns a copy.
  auto shared_request = std::make_shared<http::Request>(std::move(request));
  state.hub.wait(after, [&state, node_id = node.id, shared_request,
                         respond](std::uint64_t sequence) {
    auto snapshot = state.snapshot();
    auto node = state.registry->get_node(node_id);
    if (!snapshot || !node) {
      respond(http::make_error_response(*shared_request, status::internal_server_error,
                                        "registry read failed"));
      return;
    }
    auto plan = plan_directives(*node, **snapshot, sequence,
                                static_cast<std::uint32_t>(state.config.stall_timeout_seconds));
    respond(http::make_response(*shared_request, status::ok, plan.SerializeAsString(), kProtobuf));
  });
}

void release_file(ManagerState& state, http::Request& request, const std::string& rest,
                  http::Responder& respond) {
  // rest: NAME/VERSION/FILE
  auto first = rest.find('/');
  auto second = first == std::string::npos ? std::string::npos : rest.find('/', first + 1);
  if (second == std::string::npos) {
    respond(http::make_error_response(request, status::not_found, "expected NAME/VERSION/FILE"));
    return;
  }
  auto name = rest.substr(0, first);
  auto version = rest.substr(first + 1, second - first - 1);
  auto file = rest.substr(second + 1);
  if (file != "targets.json" && file != "release.torrent") {
    respond(http::make_error_response(request, status::not_found,
                                      "unknown release file '" + file + "'"));
    return;
  }
  if (!state.registry->get_release(name, version)) {
    respond(http::make_error_response(request, status::not_found,
                                      "unknown release " + name + " " + version));
    return;
  }
  std::ifstream in(state.paths.release_dir(name, version) + "/" + file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) {
    respond(http::make_error_response(request, status::internal_server_error,
                                      "release file missing on the manager"));
    return;
  }
  auto type = file == "targets.json" ? "application/json" : "application/x-bittorrent";
  respond(http::make_response(request, status::ok, buffer.str(), type));
}

void report(ManagerState& state, http::Request& request, const Node& node,
            http::Responder& respond) {
  proto::StatusReport message;
  if (!message.ParseFromString(request.body())) {
    respond(http::make_error_response(request, status::bad_request,
                                      "malformed report: expected a protobuf StatusReport"));
    return;
  }
  static const char* kStates[] = {"unspecified", "downloading", "done", "failed"};
  // Every item is checked before any is stored, so a rejected report
  // changes nothing.
  for (const auto& item : message.releases()) {
    std::string problem;
    if (item.state() < proto::STATE_DOWNLOADING || item.state() > proto::STATE_FAILED) {
      problem = " has no valid state; expected downloading, done or failed";
    } else if (!state.registry->get_release(item.name(), item.version())) {
      problem = " names an unknown release";
    }
    if (!problem.empty()) {
      component_logger("manager")->warn("report rejected node={} release={}/{} reason=\"{}\"",
                                        node.id, item.name(), item.version(), problem);
      respond(http::make_error_response(
          request, status::bad_request, "report for " + item.name() + "/" + item.version() + problem));
      return;
    }
  }
  bool relay_joined = false;
  for (const auto& item : message.releases()) {
    if (node.role == NodeRole::relay &&
        state.relay_reports_seen.insert(node.id + " " + item.name() + "/" + item.version()).second) {
      relay_joined = true;
    }
    ReleaseStatus status_row;
    status_row.node_id = node.id;
    status_row.release_name = item.name();
    status_row.release_version = item.version();
    status_row.state = kStates[std::clamp<int>(item.state(), 0, 3)];
    status_row.bytes_done = item.bytes_done();
    status_row.bytes_total = item.bytes_total();
    status_row.origin_bytes = item.origin_bytes();
    nlohmann::json peers = nlohmann::json::object();
    for (const auto& peer : item.peers()) {
      peers[peer.address()] = peer.bytes();
    }
    status_row.peer_bytes_json = peers.dump();
    status_row.error = item.error();
    status_row.fallbacks = item.fallbacks();
    status_row.hash_failures = item.hash_failures();
    status_row.updated_at = unix_now();
    if (auto recorded = state.registry->record_status(status_row); !recorded) {
      respond(http::make_error_response(request, status::bad_request, recorded.error().message));
      return;
    }
    if (item.state() == proto::STATE_DONE || item.state() == proto::STATE_FAILED) {
      component_logger("manager")->info("release report node={} release={}/{} state={} error=\"{}\"",
                                        node.id, item.name(), item.version(),
                                        status_row.state, item.error());
    }
  }
  if (relay_joined) {
    state.changed();  // agents of the relay's group may now get the release
  }
  respond(http::make_response(request, status::no_content, "", "text/plain"));
}

}  // namespace

bool handle_node_request(ManagerState& state, http::Request& request,
                         const http::RequestContext& context, http::Responder& respond) {
  const std::string target(request.target());
  const std::string prefix = "/v1/node/";
  if (target.rfind(prefix, 0) != 0) {
    return false;
  }
  const std::string path = target.substr(prefix.size());
  if (path == "enrol" && request.method() == beast_http::verb::post) {
    enrol(state, request, context, respond);
    return true;
  }
  auto node = authenticate(state, request);
  if (!node) {
    component_logger("manager")->warn("node request rejected remote={} target={} reason=\"{}\"",
                                      context.remote_address.to_string(), target,
                                      node.error().message);
    respond(http::make_error_response(request, status::unauthorized, node.error().message));
    return true;
  }
  const bool directives_path = path == "directives" || path.rfind("directives?", 0) == 0;
  if (directives_path && request.method() == beast_http::verb::get) {
    directives(state, request, *node, respond);
  } else if (path.rfind("releases/", 0) == 0 && request.method() == beast_http::verb::get) {
    release_file(state, request, path.substr(9), respond);
  } else if (path == "report" && request.method() == beast_http::verb::post) {
    report(state, request, *node, respond);
  } else {
    respond(http::make_error_response(request, status::not_found,
                                      "no such node endpoint: " + target));
  }
  return true;
}

}  // namespace cascade::manager
