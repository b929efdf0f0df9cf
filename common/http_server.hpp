#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "common/result.hpp"

namespace cascade::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Sends the response to a request. A handler must call it exactly once,
// either before returning or later from the server's io_context (long
// poll); the server does not check this.
using Responder = std::function<void(Response)>;

struct RequestContext {
  boost::asio::ip::address remote_address;
};

using Handler = std::function<void(Request&&, const RequestContext&, Responder)>;

// HTTP/1.1 server on Boost.Beast. Runs every handler on the io_context's
// thread, so handlers must not block.
class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler);
  ~Server();

  // Binds and starts accepting. Port 0 picks a free port; the returned
  // endpoint shows which.
  Result<boost::asio::ip::tcp::endpoint> listen(const std::string& address, uint16_t port);
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Builds a response with the request's HTTP version and keep-alive flag.
Response make_response(const Request& request, boost::beast::http::status status,
                       std::string body, const std::string& content_type);

// Builds a plain-text error response whose body is the message and a newline.
Response make_error_response(const Request& request, boost::beast::http::status status,
                             const std::string& message);

}  // namespace cascade::http
