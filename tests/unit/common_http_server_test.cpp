#include "common/http_server.hpp"

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "common/http_client.hpp"

namespace cascade::http {
namespace {

namespace beast_http = boost::beast::http;

// A server on 127.0.0.1:0 whose handler echoes the target and throws for
// /throw.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(io_, [](Request&& request, const RequestContext&,
                                                Responder respond) {
      const std::string target(request.target());
      if (target == "/throw") {
        throw std::runtime_error("handler bug");
      }
      respond(make_response(request, beast_http::status::ok, target, "text/plain"));
    });
    auto endpoint = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
    url_.host = "127.0.0.1";
    url_.port = endpoint->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    boost::asio::post(io_, [this] { server_->stop(); io_.stop(); });
    thread_.join();
  }

  Result<ClientResponse> get(const std::string& target) {
    ClientRequest request;
    request.target = target;
    request.timeout = std::chrono::seconds(5);
    return send(url_, request);
  }

  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  Url url_;
};

TEST_F(HttpServerTest, ServesHandlerResponse) {
  auto response = get("/hello");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "/hello");
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  auto response = get("/throw");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 500u);
}

TEST_F(HttpServerTest, KeepsServingAfterHandlerException) {
  ASSERT_TRUE(get("/throw").ok());
  auto response = get("/after");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200u);
}

TEST_F(HttpServerTest, OversizedTargetGets431) {
  auto response = get("/" + std::string(10000, 'a'));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 431u);
}

TEST(HttpUrl, ParsesHostPortAndPath) {
  auto url = Url::parse("http://127.0.0.2:7000/base/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.2");
  EXPECT_EQ(url->port, 7000);
  EXPECT_EQ(url->path, "/base");
}

TEST(HttpUrl, RejectsOtherSchemesAndBadPorts) {
  EXPECT_FALSE(Url::parse("https://127.0.0.1/").ok());
  EXPECT_FALSE(Url::parse("http://127.0.0.1:99999/").ok());
  EXPECT_FALSE(Url::parse("http://:80/").ok());
}

}  // namespace
}  // namespace cascade::http
