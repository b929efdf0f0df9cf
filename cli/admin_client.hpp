#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/http_client.hpp"
#include "common/result.hpp"

namespace cascade::cli {

// JSON client of the manager's admin API.
class AdminClient {
 public:
  AdminClient(http::Url manager, std::string token) : manager_(std::move(manager)), token_(std::move(token)) {}

  // Sends a request and returns the decoded JSON body. A non-2xx status
  // becomes an error that carries the manager's "error" message.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const nlohmann::json& body = nullptr);

  // Returns the node id for an id or a host name, or an error listing
  // why it matched none or several.
  Result<std::string> resolve_node(const std::string& id_or_hostname);

 private:
  http::Url manager_;
  std::string token_;
};

}  // namespace cascade::cli
