#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/result.hpp"

namespace cascade::http {

// Parts of an http:// URL. HTTPS is not supported yet.
struct Url {
  std::string host;
  uint16_t port = 80;
  std::string path;  // without a trailing slash; empty for the root

  static Result<Url> parse(const std::string& text);
  std::string to_string() const;
};

struct ClientResponse {
  unsigned status = 0;
  std::string body;
  std::string content_type;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target;  // path and query, appended to the URL's path
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::string bind_address;  // local source address; empty for any
};

// Sends one request on a new connection and waits for the whole response.
// Returns an error for connection failures and timeouts; HTTP error
// statuses are returned as responses.
Result<ClientResponse> send(const Url& base, const ClientRequest& request);

}  // namespace cascade::http
