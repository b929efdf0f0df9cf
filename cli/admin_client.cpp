#include "cli/admin_client.hpp"

namespace cascade::cli {

using nlohmann::json;

Result<json> AdminClient::call(const std::string& method, const std::string& path,
                               const json& body) {
  http::ClientRequest request;
  request.method = method;
  request.target = path;
  request.headers["Authorization"] = "Bearer " + token_;
  // Publishing hashes every byte of the release before the manager responds.
  request.timeout = std::chrono::minutes(10);
  if (!body.is_null()) {
    request.body = body.dump();
    request.content_type = "application/json";
  }
  auto response = http::send(manager_, request);
  if (!response) {
    return make_error("cannot reach the manager at " + manager_.to_string(),
                      response.error().message);
  }
  auto decoded = json::parse(response->body, nullptr, false);
  if (response->status >= 300) {
    std::string message = decoded.is_object() && decoded.contains("error")
                              ? decoded["error"].get<std::string>()
                              : response->body;
    if (response->status == 401) {
      message += "; check --token-file or $CASCADE_ADMIN_TOKEN_FILE";
    }
    return Error{message + " (HTTP " + std::to_string(response->status) + ")"};
  }
  if (decoded.is_discarded()) {
    return Error{"the manager sent a reply that is not JSON"};
  }
  return decoded;
}

Result<std::string> AdminClient::resolve_node(const std::string& id_or_hostname) {
  auto nodes = call("GET", "/v1/nodes");
  if (!nodes) {
    return nodes.error();
  }
  std::vector<std::string> matches;
  for (const auto& node : *nodes) {
    if (node["id"] == id_or_hostname) {
      return id_or_hostname;
    }
    if (node["hostname"] == id_or_hostname) {
      matches.push_back(node["id"].get<std::string>());
    }
  }
  if (matches.empty()) {
    return Error{"unknown node '" + id_or_hostname + "': no node has that id or host name "
                 "(see `cascadectl node list`)"};
  }
  if (matches.size() > 1) {
    return Error{"host name '" + id_or_hostname + "' matches " + std::to_string(matches.size()) +
                 " nodes; use the node id"};
  }
  return matches.front();
}

}  // namespace cascade::cli
