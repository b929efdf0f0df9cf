#include "common/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace cascade::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<Url> Url::parse(const std::string& text) {
  const std::string scheme = "http://";
  if (text.rfind(scheme, 0) != 0) {
    return make_error("parse URL '" + text + "'", "expected a URL starting with http://");
  }
  Url url;
  auto rest = text.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  url.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!url.path.empty() && url.path.back() == '/') {
    url.path.pop_back();
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) {
      return make_error("parse URL '" + text + "'", "unterminated IPv6 address");
    }
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port_text = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.find(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return make_error("parse URL '" + text + "'", "missing host");
  }
  if (!port_text.empty()) {
    try {
      int port = std::stoi(port_text);
      if (port <= 0 || port > 65535) throw std::out_of_range("port");
      url.port = static_cast<uint16_t>(port);
    } catch (const std::exception&) {
      return make_error("parse URL '" + text + "'", "invalid port '" + port_text + "'");
    }
  }
  return url;
}

std::string Url::to_string() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + host_part + ":" + std::to_string(port) + path;
}

Result<ClientResponse> send(const Url& base, const ClientRequest& request) {
  const std::string operation = request.method + " " + base.to_string() + request.target;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code error;

  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(base.host, std::to_string(base.port), error);
  if (error) {
    return make_error(operation, "resolve " + base.host + ": " + error.message());
  }
  if (!request.bind_address.empty()) {
    auto local = asio::ip::make_address(request.bind_address, error);
    if (error) {
      return make_error(operation, "invalid bind address " + request.bind_address);
    }
    stream.socket().open(local.is_v4() ? tcp::v4() : tcp::v6(), error);
    if (!error) stream.socket().bind(tcp::endpoint(local, 0), error);
    if (error) {
      return make_error(operation, "bind " + request.bind_address + ": " + error.message());
    }
  }

  // Every step shares one deadline, so a stalled server cannot hold the
  // caller past the request's timeout.
  stream.expires_after(request.timeout);
  bool done = false;
  beast::http::request<beast::http::string_body> message;
  beast::http::response<beast::http::string_body> response;
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(1024ull * 1024 * 1024);

  auto on_read = [&](beast::error_code read_error, std::size_t) {
    error = read_error;
    done = true;
  };
  auto on_write = [&](beast::error_code write_error, std::size_t) {
    if (write_error) {
      error = write_error;
      done = true;
      return;
    }
    beast::http::async_read(stream, buffer, parser, on_read);
  };
  auto on_connect = [&](beast::error_code connect_error, const tcp::endpoint&) {
    if (connect_error) {
      error = connect_error;
      done = true;
      return;
    }
    message.method_string(request.method);
    message.target(base.path + request.target);
    message.version(11);
    message.set(beast::http::field::host, base.host + ":" + std::to_string(base.port));
    message.set(beast::http::field::user_agent, "cascade");
    for (const auto& [name, value] : request.headers) {
      message.set(name, value);
    }
    if (!request.content_type.empty()) {
      message.set(beast::http::field::content_type, request.content_type);
    }
    message.body() = request.body;
    message.prepare_payload();
    beast::http::async_write(stream, message, on_write);
  };

  if (request.bind_address.empty()) {
    stream.async_connect(endpoints, on_connect);
  } else {
    stream.socket().async_connect(*endpoints.begin(), [&](beast::error_code connect_error) {
      on_connect(connect_error, *endpoints.begin());
    });
  }
  io.run();
  if (!done || error) {
    auto detail = error == beast::error::timeout
                      ? "timed out after " + std::to_string(request.timeout.count()) + " ms"
                      : error.message();
    return make_error(operation, detail);
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  auto& result = parser.get();
  ClientResponse out;
  out.status = result.result_int();
  out.body = std::move(result.body());
  out.content_type = std::string(result[beast::http::field::content_type]);
  return out;
}

}  // namespace cascade::http
