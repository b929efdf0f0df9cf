#include "common/http_server.hpp"

#include <atomic>
#include <chrono>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include "common/log.hpp"

namespace cascade::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Largest request body accepted; node and admin messages are small.
constexpr std::uint64_t kMaxBodyBytes = 4 * 1024 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(60);

// Open connections above this are closed at once, so idle or slow
// clients cannot use up the process's file descriptors.
constexpr std::size_t kMaxSessions = 8192;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Handler> handler,
          std::shared_ptr<std::atomic<std::size_t>> open_sessions)
      : stream_(std::move(socket)),
        handler_(std::move(handler)),
        open_sessions_(std::move(open_sessions)) {
    ++*open_sessions_;
  }
  ~Session() { --*open_sessions_; }

  void start() { read_request(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kReadTimeout);
    beast::http::async_read(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              self->on_read(error);
                            });
  }

  void on_read(beast::error_code error) {
    if (error) {
      // End of stream and timeouts are the normal end of a keep-alive
      // connection; anything else is a malformed request.
      if (error != beast::http::error::end_of_stream && error != beast::error::timeout &&
          error != asio::error::operation_aborted && error != asio::error::connection_reset) {
        component_logger("http")->debug("request rejected reason=\"{}\"", error.message());
        if (error == beast::http::error::body_limit) {
          Response response{beast::http::status::payload_too_large, 11};
          response.body() = "request body larger than 4 MiB\n";
          response.prepare_payload();
          write(std::move(response), true);
          return;
        }
        if (error == beast::http::error::header_limit) {
          Response response{beast::http::status::request_header_fields_too_large, 11};
          response.body() = "request line and headers larger than 8 KiB\n";
          response.prepare_payload();
          write(std::move(response), true);
          return;
        }
      }
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    stream_.expires_never();
    RequestContext context;
    beast::error_code endpoint_error;
    auto remote = stream_.socket().remote_endpoint(endpoint_error);
    if (!endpoint_error) {
      context.remote_address = remote.address();
    }
    auto request = parser_->release();
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    const std::string target(request.target());
    auto self = shared_from_this();
    auto responded = std::make_shared<bool>(false);
    auto responder = [self, keep_alive, responded](Response response) {
      *responded = true;
      // The responder may be called from a timer; post keeps all socket
      // work on the session's executor.
      asio::post(self->stream_.get_executor(),
                 [self, keep_alive, response = std::move(response)]() mutable {
                   self->write(std::move(response), !keep_alive);
                 });
    };
    try {
      (*handler_)(std::move(request), context, responder);
    } catch (const std::exception& error) {
      // Untrusted input must never stop the server: a handler bug becomes
      // a 500 for this request only.
      component_logger("http")->error("request handler failed target={} error=\"{}\"", target,
                                      error.what());
      if (!*responded) {
        Response response{beast::http::status::internal_server_error, version};
        response.set(beast::http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "internal error; see the server log\n";
        response.prepare_payload();
        responder(std::move(response));
      }
    }
  }

  void write(Response response, bool close) {
    response.keep_alive(!close);
    auto shared = std::make_shared<Response>(std::move(response));
    stream_.expires_after(kReadTimeout);
    beast::http::async_write(stream_, *shared,
                             [self = shared_from_this(), shared, close](beast::error_code error,
                                                                        std::size_t) {
                               if (error || close) {
                                 beast::error_code ignored;
                                 self->stream_.socket().shutdown(tcp::socket::shutdown_both,
                                                                 ignored);
                                 return;
                               }
                               self->read_request();
                             });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::shared_ptr<Handler> handler_;
  std::shared_ptr<std::atomic<std::size_t>> open_sessions_;
};

}  // namespace

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(asio::io_context& io, Handler handler)
      : io(io),
        acceptor(io),
        retry_timer(io),
        handler(std::make_shared<Handler>(std::move(handler))),
        open_sessions(std::make_shared<std::atomic<std::size_t>>(0)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
                            self->on_accept(error, std::move(socket));
                          });
  }

  void on_accept(beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor.is_open()) {
      return;
    }
    if (error) {
      // Out of file descriptors, most often: accepting again at once would
      // spin, so wait a moment. Logged once per failure streak.
      if (accept_failures++ == 0) {
        component_logger("http")->warn("accept failed error=\"{}\" open_connections={}",
                                       error.message(), open_sessions->load());
      }
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([self = shared_from_this()](beast::error_code timer_error) {
        if (!timer_error) self->accept();
      });
      return;
    }
    accept_failures = 0;
    if (open_sessions->load() >= kMaxSessions) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), handler, open_sessions)->start();
    }
    accept();
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::shared_ptr<Handler> handler;
  std::shared_ptr<std::atomic<std::size_t>> open_sessions;
  std::uint64_t accept_failures = 0;
};

Server::Server(asio::io_context& io, Handler handler)
    : state_(std::make_shared<State>(io, std::move(handler))) {}

Server::~Server() { stop(); }

Result<tcp::endpoint> Server::listen(const std::string& address, uint16_t port) {
  beast::error_code error;
  auto ip = asio::ip::make_address(address, error);
  if (error) {
    return make_error("listen on " + address, "invalid IP address");
  }
  tcp::endpoint endpoint(ip, port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return make_error("listen on " + address + ":" + std::to_string(port), error.message());
  }
  auto bound = acceptor.local_endpoint(error);
  state_->accept();
  return bound;
}

void Server::stop() {
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  state_->retry_timer.cancel();
}

Response make_response(const Request& request, beast::http::status status, std::string body,
                       const std::string& content_type) {
  Response response{status, request.version()};
  response.set(beast::http::field::server, "cascade");
  response.set(beast::http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response make_error_response(const Request& request, beast::http::status status,
                             const std::string& message) {
  return make_response(request, status, message + "\n", "text/plain; charset=utf-8");
}

}  // namespace cascade::http
