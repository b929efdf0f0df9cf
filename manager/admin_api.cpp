// Admin API: JSON over HTTP, authorised by the admin token as a bearer
// token. cascadectl is its client.

#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "common/log.hpp"
#include "manager/manager_service.hpp"
#include "manager/release_builder.hpp"
#include "manager/status_summary.hpp"

namespace cascade::manager {

namespace beast_http = boost::beast::http;
using beast_http::status;
using beast_http::verb;
using nlohmann::json;

namespace {

http::Response json_response(const http::Request& request, status code, const json& body) {
  // Messages may quote request bytes that are not UTF-8; they are replaced
  // rather than thrown on.
  return http::make_response(request, code,
                             body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                             "application/json");
}

http::Response json_error(const http::Request& request, status code, const std::string& message) {
  return json_response(request, code, json{{"error", message}});
}

bool authorised(const ManagerState& state, const http::Request& request) {
  const auto header = std::string(request[beast_http::field::authorization]);
  const std::string expected = "Bearer " + state.admin_token;
  return header.size() == expected.size() &&
         sodium_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

Result<json> parse_body(const http::Request& request) {
  auto body = json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"malformed request body: expected a JSON object"};
  }
  return body;
}

std::string string_field(const json& body, const char* name) {
  auto found = body.find(name);
  return found != body.end() && found->is_string() ? found->get<std::string>() : "";
}

json group_to_json(const Group& group, int tier, const std::vector<Node>& nodes) {
  int relays = 0;
  int agents = 0;
  for (const auto& node : nodes) {
    if (node.group != group.name || node.state != NodeState::active) continue;
    (node.role == NodeRole::relay ? relays : agents) += 1;
  }
  return {{"name", group.name},
          {"parent", group.parent},
          {"update_source", group.parent.empty() ? "primary" : "group " + group.parent},
          {"proxy_url", group.proxy_url},
          {"peer_sharing", group.peer_sharing},
          {"tier", tier},
          {"relays", relays},
          {"agents", agents}};
}

json node_to_json(const Node& node) {
  return {{"id", node.id},
          {"hostname", node.hostname},
          {"address", node.address},
          {"port", node.port},
          {"role", to_string(node.role)},
          {"group", node.group},
          {"state", to_string(node.state)},
          {"enrolled_at", node.enrolled_at}};
}

void list_groups(ManagerState& state, const http::Request& request, http::Responder& respond) {
  auto groups = state.registry->list_groups();
  auto nodes = state.registry->list_nodes();
  if (!groups || !nodes) {
    respond(json_error(request, status::internal_server_error, "registry read failed"));
    return;
  }
  json out = json::array();
  for (const auto& group : *groups) {
    auto tier = state.registry->group_tier(group.name);
    out.push_back(group_to_json(group, tier ? *tier : 0, *nodes));
  }
  respond(json_response(request, status::ok, out));
}

void publish(ManagerState& state, const http::Request& request, const json& body,
             http::Responder& respond) {
  if (state.publishing) {
    respond(json_error(request, status::conflict,
                       "another release is being published; retry when it finishes"));
    return;
  }
  PublishRequest publish_request;
  publish_request.name = string_field(body, "name");
  publish_request.version = string_field(body, "version");
  publish_request.source_dir = string_field(body, "path");
  for (const auto& [what, text] : {std::pair{"release name", publish_request.name},
                                   std::pair{"release version", publish_request.version}}) {
    if (auto valid = validate_release_label(what, text); !valid) {
      respond(json_error(request, status::bad_request, valid.error().message));
      return;
    }
  }
  if (state.registry->get_release(publish_request.name, publish_request.version)) {
    respond(json_error(request, status::conflict,
                       "release " + publish_request.name + " " + publish_request.version +
                           " already exists; publish a new version"));
    return;
  }
  auto latest = state.registry->latest_metadata_version();
  if (!latest) {
    respond(json_error(request, status::internal_server_error, latest.error().message));
    return;
  }
  BuildSettings settings;
  settings.origin_url = state.config.origin_url;
  settings.origin_root = state.config.origin_root;
  settings.announce_url = state.config.announce_base();
  settings.output_dir = state.paths.release_dir(publish_request.name, publish_request.version);
  settings.metadata_version = *latest + 1;
  settings.expires = std::chrono::system_clock::now() +
                     std::chrono::hours(24) * state.config.metadata_lifetime_days;

  state.publishing = true;
  auto shared_request = std::make_shared<http::Request>(request);
  // Hashing takes seconds for large releases, so it runs on its own thread
  // and the tracker and long polls keep responding.
  std::thread([&state, publish_request, settings, key = state.targets_key, shared_request,
               respond]() {
    auto built = build_release(publish_request, settings, key);
    boost::asio::post(state.io, [&state, built = std::move(built), shared_request, respond]() {
      state.publishing = false;
      auto log = component_logger("manager");
      if (!built) {
        log->error("publish failed error=\"{}\"", built.error().message);
        respond(json_error(*shared_request, status::bad_request, built.error().message));
        return;
      }
      if (auto added = state.registry->add_release(*built); !added) {
        log->error("publish failed error=\"{}\"", added.error().message);
        respond(json_error(*shared_request, status::conflict, added.error().message));
        return;
      }
      state.changed();
      // Agents whose relays never report get the release after the hold.
      auto timer = std::make_shared<boost::asio::steady_timer>(
          state.io, std::chrono::seconds(kAgentHoldSeconds));
      timer->async_wait([&state, timer](const boost::system::error_code& error) {
        if (!error) state.changed();
      });
      log->info("release published release={}/{} files={} bytes={} info_hash={}", built->name,
                built->version, built->file_count, built->total_bytes, built->info_hash);
      respond(json_response(*shared_request, status::created,
                            {{"name", built->name},
                             {"version", built->version},
                             {"info_hash", built->info_hash},
                             {"metadata_version", built->metadata_version},
                             {"files", built->file_count},
                             {"total_bytes", built->total_bytes}}));
    });
  }).detach();
}

void status_report(ManagerState& state, const http::Request& request, http::Responder& respond) {
  auto releases = state.registry->list_releases();
  auto nodes = state.registry->list_nodes();
  if (!releases || !nodes) {
    respond(json_error(request, status::internal_server_error, "registry read failed"));
    return;
  }
  json out = json::array();
  for (const auto& release : *releases) {
    auto statuses = state.registry->list_status(release.name, release.version);
    if (!statuses) {
      respond(json_error(request, status::internal_server_error, statuses.error().message));
      return;
    }
    out.push_back(summarise_release(release, *nodes, *statuses));
  }
  respond(json_response(request, status::ok, json{{"releases", out}}));
}

// Changes the fields present in the body: "parent" (empty for the primary
// source), "proxy_url" and "peer_sharing". The registry rejects a parent
// that would close a cycle.
void update_group(ManagerState& state, const http::Request& request, const std::string& name,
                  const json& body, http::Responder& respond);

// Applies a registry change and responds 200 with `ok_body`, or 400 with the
// registry's message.
void apply_change(ManagerState& state, const http::Request& request, const Status& result,
                  const json& ok_body, http::Responder& respond) {
  if (!result) {
    respond(json_error(request, status::bad_request, result.error().message));
    return;
  }
  state.changed();
  component_logger("manager")->info("registry changed request=\"{} {}\"",
                                    std::string(request.method_string()),
                                    std::string(request.target()));
  respond(json_response(request, status::ok, ok_body));
}

void update_group(ManagerState& state, const http::Request& request, const std::string& name,
                  const json& body, http::Responder& respond) {
  auto group = state.registry->get_group(name);
  if (!group) {
    respond(json_error(request, status::not_found, group.error().message));
    return;
  }
  for (const char* field : {"parent", "proxy_url"}) {
    if (body.contains(field) && !body[field].is_string()) {
      respond(json_error(request, status::bad_request,
                         std::string("invalid ") + field + ": expected a string"));
      return;
    }
  }
  if (body.contains("peer_sharing") && !body["peer_sharing"].is_boolean()) {
    respond(json_error(request, status::bad_request, "invalid peer_sharing: expected true or false"));
    return;
  }
  if (body.contains("parent")) group->parent = body["parent"].get<std::string>();
  if (body.contains("proxy_url")) group->proxy_url = body["proxy_url"].get<std::string>();
  if (body.contains("peer_sharing")) group->peer_sharing = body["peer_sharing"].get<bool>();
  apply_change(state, request, state.registry->update_group(*group), {{"updated", name}}, respond);
}

void route(ManagerState& state, http::Request& request, const std::string& path,
           http::Responder& respond) {
  const auto method = request.method();
  json body = json::object();
  if (method == verb::post) {
    auto parsed = parse_body(request);
    if (!parsed) {
      respond(json_error(request, status::bad_request, parsed.error().message));
      return;
    }
    body = std::move(*parsed);
  }

  if (path == "groups" && method == verb::get) {
    list_groups(state, request, respond);
  } else if (path == "groups" && method == verb::post) {
    Group group;
    group.name = string_field(body, "name");
    group.parent = string_field(body, "parent");
    group.proxy_url = string_field(body, "proxy_url");
    auto sharing = body.find("peer_sharing");
    if (sharing != body.end() && !sharing->is_boolean()) {
      respond(json_error(request, status::bad_request,
                         "invalid peer_sharing: expected true or false"));
      return;
    }
    group.peer_sharing = sharing != body.end() && sharing->get<bool>();
    apply_change(state, request, state.registry->create_group(group), {{"created", group.name}},
                 respond);
  } else if (path.rfind("groups/", 0) == 0 && method == verb::post) {
    update_group(state, request, path.substr(7), body, respond);
  } else if (path.rfind("groups/", 0) == 0 && method == verb::delete_) {
    auto name = path.substr(7);
    apply_change(state, request, state.registry->delete_group(name), {{"deleted", name}}, respond);
  } else if (path == "nodes" && method == verb::get) {
    auto nodes = state.registry->list_nodes();
    json out = json::array();
    if (nodes) {
      for (const auto& node : *nodes) out.push_back(node_to_json(node));
    }
    respond(json_response(request, status::ok, out));
  } else if (path.rfind("nodes/", 0) == 0) {
    auto rest = path.substr(6);
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    auto action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    auto group = string_field(body, "group");
    if (action == "relay" && method == verb::post) {
      apply_change(state, request, state.registry->enable_relay(id, group),
                   {{"node", id}, {"role", "relay"}, {"group", group}}, respond);
    } else if (action == "relay" && method == verb::delete_) {
      apply_change(state, request, state.registry->disable_relay(id),
                   {{"node", id}, {"role", "agent"}}, respond);
    } else if (action == "group" && method == verb::post) {
      apply_change(state, request, state.registry->assign_agent(id, group),
                   {{"node", id}, {"group", group}}, respond);
    } else if (action == "revoke" && method == verb::post) {
      apply_change(state, request, state.registry->revoke_node(id), {{"node", id}, {"state", "revoked"}},
                   respond);
    } else {
      respond(json_error(request, status::not_found, "no such endpoint: /v1/" + path));
    }
  } else if (path == "releases" && method == verb::get) {
    auto releases = state.registry->list_releases();
    json out = json::array();
    if (releases) {
      for (const auto& release : *releases) {
        out.push_back({{"name", release.name},
                       {"version", release.version},
                       {"info_hash", release.info_hash},
                       {"files", release.file_count},
                       {"total_bytes", release.total_bytes},
                       {"published_at", release.published_at}});
      }
    }
    respond(json_response(request, status::ok, out));
  } else if (path == "releases" && method == verb::post) {
    publish(state, request, body, respond);
  } else if (path == "status" && method == verb::get) {
    status_report(state, request, respond);
  } else {
    respond(json_error(request, status::not_found, "no such endpoint: /v1/" + path));
  }
}

}  // namespace

bool handle_admin_request(ManagerState& state, http::Request& request, http::Responder& respond) {
  const std::string target(request.target());
  if (target.rfind("/v1/", 0) != 0) {
    return false;
  }
  if (!authorised(state, request)) {
    // Rate-limited: the first rejection and then one in 100 are logged.
    static std::uint64_t rejected = 0;
    if (rejected++ % 100 == 0) {
      component_logger("manager")->warn("admin request rejected target={} reason=\"missing or "
                                        "wrong admin token\" rejected_so_far={}",
                                        target.substr(0, 200), rejected);
    }
    respond(json_error(request, status::unauthorized,
                       "missing or wrong admin token; pass the manager's admin.token as "
                       "'Authorization: Bearer TOKEN'"));
    return true;
  }
  auto path = target.substr(4);
  auto query = path.find('?');
  if (query != std::string::npos) {
    path = path.substr(0, query);
  }
  route(state, request, path, respond);
  return true;
}

}  // namespace cascade::manager
