// The manager's request handlers (admin API, node API, tracker) driven
// in-process through handle_request, with no sockets: each test builds a
// Beast request, calls the handler and inspects the response it receives.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "proto/cascade.pb.h"
#include "common/log.hpp"
#include "crypto/keys.hpp"
#include "crypto/request_auth.hpp"
#include "manager/manager_init.hpp"
#include "manager/manager_service.hpp"

namespace cascade::manager {
namespace {

namespace fs = std::filesystem;
namespace beast_http = boost::beast::http;
using beast_http::field;
using beast_http::status;
using beast_http::verb;
using nlohmann::json;
using ::testing::HasSubstr;

// 64 lowercase hex digits, the form the registry requires of a v2 info hash.
const std::string kReleaseInfoHash(64, 'a');

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + ".XXXXXX")).string();
  char* created = mkdtemp(pattern.data());
  if (created == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  return created;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string key_bytes(const crypto::PublicKey& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

// The response a handler sent, and how many times it called the responder.
struct Reply {
  std::optional<http::Response> response;
  int calls = 0;
};

// A node enrolled through POST /v1/node/enrol, with the key it signs with.
struct EnrolledNode {
  std::string id;
  crypto::KeyPair keys;
};

class ManagerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_level("error");
    data_dir_ = make_temp_dir("manager_api_data");
    origin_root_ = make_temp_dir("manager_api_origin");
    ManagerConfig config;
    config.origin_url = "http://127.0.0.1:1";
    config.origin_root = origin_root_;
    auto initialised = initialise_data_dir(ManagerPaths(data_dir_), config);
    ASSERT_TRUE(initialised.ok()) << initialised.error().message;

    auto opened = open_manager(io_, data_dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    state_ = std::move(*opened);

    auto admin = read_token(ManagerPaths(data_dir_).admin_token());
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    admin_token_ = *admin;
    auto enrolment = read_token(ManagerPaths(data_dir_).enrolment_token());
    ASSERT_TRUE(enrolment.ok()) << enrolment.error().message;
    enrolment_token_ = *enrolment;

    context_.remote_address = boost::asio::ip::make_address("127.0.0.1");
  }

  void TearDown() override {
    state_.reset();
    std::error_code ignored;
    fs::remove_all(data_dir_, ignored);
    fs::remove_all(origin_root_, ignored);
  }

  std::shared_ptr<Reply> send(http::Request request) {
    auto reply = std::make_shared<Reply>();
    handle_request(*state_, std::move(request), context_, [reply](http::Response response) {
      reply->calls += 1;
      reply->response = std::move(response);
    });
    return reply;
  }

  http::Request admin_request(verb method, const std::string& target,
                              const std::string& body = "") {
    http::Request request{method, target, 11};
    request.set(field::authorization, "Bearer " + admin_token_);
    if (!body.empty()) {
      request.set(field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    return request;
  }

  // Sends an admin request and returns its response. The test fails if the
  // handler does not respond at once.
  http::Response admin(verb method, const std::string& target, const std::string& body = "") {
    auto reply = send(admin_request(method, target, body));
    EXPECT_EQ(reply->calls, 1) << method << " " << target;
    return reply->response.value_or(http::Response{});
  }

  json admin_json(verb method, const std::string& target, const std::string& body = "") {
    return json::parse(admin(method, target, body).body(), nullptr, false);
  }

  proto::EnrolRequest enrol_message(const crypto::KeyPair& keys) const {
    proto::EnrolRequest message;
    message.set_enrolment_token(enrolment_token_);
    message.set_public_key(key_bytes(keys.public_key));
    message.set_hostname("host-1");
    message.set_address("127.0.0.2");
    message.set_listen_port(6881);
    return message;
  }

  static http::Request protobuf_post(const std::string& target, const std::string& body) {
    http::Request request{verb::post, target, 11};
    request.set(field::content_type, "application/x-protobuf");
    request.body() = body;
    request.prepare_payload();
    return request;
  }

  // Enrols a node with a fresh key. If enrolment fails, the test records a
  // failure and the returned node has an empty id.
  EnrolledNode enrol() {
    EnrolledNode node;
    node.keys = crypto::generate_key_pair();
    auto reply =
        send(protobuf_post("/v1/node/enrol", enrol_message(node.keys).SerializeAsString()));
    if (!reply->response || reply->response->result() != status::ok) {
      ADD_FAILURE() << "enrolment failed: "
                    << (reply->response ? reply->response->body() : "no response");
      return node;
    }
    proto::EnrolResponse response;
    EXPECT_TRUE(response.ParseFromString(reply->response->body()));
    node.id = response.node_id();
    return node;
  }

  // A request signed by `keys` as node `node_id`, over the body as given.
  static http::Request signed_request(verb method, const std::string& target,
                                      const std::string& body, const std::string& node_id,
                                      const crypto::KeyPair& keys,
                                      std::int64_t timestamp = unix_now()) {
    http::Request request{method, target, 11};
    request.body() = body;
    request.set(crypto::kNodeAuthHeader,
                crypto::make_auth_header(node_id, keys, std::string(beast_http::to_string(method)),
                                         target, timestamp, body));
    request.prepare_payload();
    return request;
  }

  static http::Request node_request(verb method, const std::string& target,
                                    const EnrolledNode& node, const std::string& body = "") {
    return signed_request(method, target, body, node.id, node.keys);
  }

  // Registers a release directly, as a finished publish would, so reports
  // about it are valid without building real files.
  void add_release(const std::string& name, const std::string& version) {
    Release release;
    release.name = name;
    release.version = version;
    release.metadata_version = 1;
    release.info_hash = kReleaseInfoHash;
    release.total_bytes = 1000;
    release.file_count = 1;
    release.published_at = unix_now();
    auto added = state_->registry->add_release(release);
    ASSERT_TRUE(added.ok()) << added.error().message;
  }

  static void add_report_item(proto::StatusReport& report, const std::string& name,
                              const std::string& version, proto::ReleaseState state) {
    auto* item = report.add_releases();
    item->set_name(name);
    item->set_version(version);
    item->set_state(state);
    item->set_bytes_total(1000);
    item->set_bytes_done(state == proto::STATE_DONE ? 1000 : 0);
  }

  static std::string report_body(const std::string& name, const std::string& version,
                                 proto::ReleaseState state) {
    proto::StatusReport report;
    add_report_item(report, name, version, state);
    return report.SerializeAsString();
  }

  static proto::Directives parse_directives(const http::Response& response) {
    proto::Directives directives;
    EXPECT_TRUE(directives.ParseFromString(response.body()));
    return directives;
  }

  static std::string error_of(const http::Response& response) {
    auto body = json::parse(response.body(), nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) {
      return "<no JSON error in: " + response.body() + ">";
    }
    return body["error"].get<std::string>();
  }

  static bool lists_group(const json& groups, const std::string& name) {
    for (const auto& group : groups) {
      if (group.value("name", "") == name) return true;
    }
    return false;
  }

  boost::asio::io_context io_;
  std::string data_dir_;
  std::string origin_root_;
  std::string admin_token_;
  std::string enrolment_token_;
  http::RequestContext context_;
  std::unique_ptr<ManagerState> state_;
};

// ---- admin API ----

TEST_F(ManagerApi, AdminRejectsMissingToken) {
  http::Request request{verb::get, "/v1/groups", 11};
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(error_of(*reply->response), HasSubstr("admin token"));
}

TEST_F(ManagerApi, AdminRejectsWrongToken) {
  http::Request request{verb::get, "/v1/groups", 11};
  request.set(field::authorization, "Bearer " + std::string(64, '0'));
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(error_of(*reply->response), HasSubstr("admin token"));
}

TEST_F(ManagerApi, AdminRejectsTokenWithoutBearerScheme) {
  http::Request request{verb::get, "/v1/groups", 11};
  request.set(field::authorization, admin_token_);
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
}

TEST_F(ManagerApi, GroupCreateListDeleteRoundTrip) {
  auto created = admin(verb::post, "/v1/groups", R"({"name": "site-a"})");
  ASSERT_EQ(created.result(), status::ok) << created.body();

  auto listed = admin_json(verb::get, "/v1/groups");
  EXPECT_TRUE(lists_group(listed, "default"));
  EXPECT_TRUE(lists_group(listed, "site-a")) << listed.dump();

  auto deleted = admin(verb::delete_, "/v1/groups/site-a");
  ASSERT_EQ(deleted.result(), status::ok) << deleted.body();

  auto after_delete = admin_json(verb::get, "/v1/groups");
  EXPECT_FALSE(lists_group(after_delete, "site-a")) << after_delete.dump();
  EXPECT_TRUE(lists_group(after_delete, "default"));
}

TEST_F(ManagerApi, ChildGroupListedAtTierTwo) {
  ASSERT_EQ(admin(verb::post, "/v1/groups", R"({"name": "a"})").result(), status::ok);
  ASSERT_EQ(admin(verb::post, "/v1/groups", R"({"name": "b", "parent": "a"})").result(),
            status::ok);

  auto listed = admin_json(verb::get, "/v1/groups");

  json child;
  for (const auto& group : listed) {
    if (group.value("name", "") == "b") child = group;
  }
  ASSERT_TRUE(child.is_object()) << listed.dump();
  EXPECT_EQ(child["parent"], "a");
  EXPECT_EQ(child["tier"], 2);
  EXPECT_EQ(child["update_source"], "group a");
}

TEST_F(ManagerApi, CreateGroupWithUnknownParentRejected) {
  auto before = admin_json(verb::get, "/v1/groups");

  auto response = admin(verb::post, "/v1/groups", R"({"name": "b", "parent": "missing-parent"})");

  EXPECT_EQ(response.result(), status::bad_request);
  EXPECT_THAT(error_of(response), HasSubstr("missing-parent"));
  EXPECT_EQ(admin_json(verb::get, "/v1/groups"), before);
}

TEST_F(ManagerApi, DeleteDefaultGroupRejected) {
  auto response = admin(verb::delete_, "/v1/groups/default");

  EXPECT_EQ(response.result(), status::bad_request);
  EXPECT_THAT(error_of(response), HasSubstr("default"));
  EXPECT_TRUE(lists_group(admin_json(verb::get, "/v1/groups"), "default"));
}

TEST_F(ManagerApi, UnknownAdminEndpointNotFound) {
  auto response = admin(verb::get, "/v1/no-such-thing");

  EXPECT_EQ(response.result(), status::not_found);
  EXPECT_THAT(error_of(response), HasSubstr("/v1/no-such-thing"));
}

TEST_F(ManagerApi, PathOutsideApiNotFound) {
  http::Request request{verb::get, "/index.html", 11};
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::not_found);
  EXPECT_THAT(reply->response->body(), HasSubstr("/index.html"));
}

TEST_F(ManagerApi, MalformedJsonBodyRejected) {
  auto before = admin_json(verb::get, "/v1/groups");

  auto response = admin(verb::post, "/v1/groups", R"({"name": "site-a")");

  EXPECT_EQ(response.result(), status::bad_request);
  EXPECT_THAT(error_of(response), HasSubstr("JSON"));
  EXPECT_EQ(admin_json(verb::get, "/v1/groups"), before);
}

// A non-boolean peer_sharing once threw out of the handler and stopped
// the manager.
TEST_F(ManagerApi, NonBooleanPeerSharingRejected) {
  std::shared_ptr<Reply> reply;

  ASSERT_NO_THROW(reply = send(admin_request(verb::post, "/v1/groups",
                                             R"({"name": "site-a", "peer_sharing": "yes"})")));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(error_of(*reply->response), HasSubstr("peer_sharing"));
}

// Boost.Beast 1.74 accepts bytes 0x80-0xFF in a request target, and the
// 404 message repeats the path, so the JSON reply must survive invalid UTF-8.
TEST_F(ManagerApi, NonUtf8AdminPathNotFound) {
  std::shared_ptr<Reply> reply;

  ASSERT_NO_THROW(reply = send(admin_request(verb::get, "/v1/\xff")));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::not_found);
}

// ---- node enrolment ----

TEST_F(ManagerApi, EnrolWrongTokenForbidden) {
  auto message = enrol_message(crypto::generate_key_pair());
  message.set_enrolment_token(std::string(64, '0'));

  auto reply = send(protobuf_post("/v1/node/enrol", message.SerializeAsString()));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::forbidden);
  EXPECT_THAT(reply->response->body(), HasSubstr("enrolment token"));
  EXPECT_EQ(admin_json(verb::get, "/v1/nodes"), json::array());
}

TEST_F(ManagerApi, EnrolMalformedBodyRejected) {
  // Field 1, length-delimited, announces 5 bytes but only 2 follow.
  auto reply = send(protobuf_post("/v1/node/enrol", std::string("\x0a\x05" "ab", 4)));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("EnrolRequest"));
}

TEST_F(ManagerApi, EnrolShortPublicKeyRejected) {
  auto message = enrol_message(crypto::generate_key_pair());
  message.set_public_key(std::string(31, '\x01'));

  auto reply = send(protobuf_post("/v1/node/enrol", message.SerializeAsString()));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("32-byte"));
  EXPECT_EQ(admin_json(verb::get, "/v1/nodes"), json::array());
}

TEST_F(ManagerApi, EnrolInvalidAddressRejected) {
  auto message = enrol_message(crypto::generate_key_pair());
  message.set_address("not-an-address");

  auto reply = send(protobuf_post("/v1/node/enrol", message.SerializeAsString()));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("not-an-address"));
  EXPECT_EQ(admin_json(verb::get, "/v1/nodes"), json::array());
}

TEST_F(ManagerApi, EnrolZeroPortRejected) {
  auto message = enrol_message(crypto::generate_key_pair());
  message.set_listen_port(0);

  auto reply = send(protobuf_post("/v1/node/enrol", message.SerializeAsString()));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("port 0"));
}

TEST_F(ManagerApi, EnrolReturnsIdentityAndPinnedKey) {
  auto keys = crypto::generate_key_pair();

  auto reply = send(protobuf_post("/v1/node/enrol", enrol_message(keys).SerializeAsString()));

  ASSERT_TRUE(reply->response);
  ASSERT_EQ(reply->response->result(), status::ok) << reply->response->body();
  proto::EnrolResponse response;
  ASSERT_TRUE(response.ParseFromString(reply->response->body()));
  EXPECT_FALSE(response.node_id().empty());
  EXPECT_THAT(response.announce_url(), HasSubstr("/announce/"));
  EXPECT_EQ(response.group(), "default");

  auto targets_key = crypto::load_key_pair(ManagerPaths(data_dir_).targets_key());
  ASSERT_TRUE(targets_key.ok()) << targets_key.error().message;
  ASSERT_EQ(response.targets_public_key().size(), 32u);
  EXPECT_EQ(response.targets_public_key(), key_bytes(targets_key->public_key));
}

TEST_F(ManagerApi, EnrolledNodeListedAsAgent) {
  auto node = enrol();
  ASSERT_FALSE(node.id.empty());

  auto nodes = admin_json(verb::get, "/v1/nodes");

  ASSERT_EQ(nodes.size(), 1u) << nodes.dump();
  EXPECT_EQ(nodes[0]["id"], node.id);
  EXPECT_EQ(nodes[0]["role"], "agent");
  EXPECT_EQ(nodes[0]["group"], "default");
  EXPECT_EQ(nodes[0]["address"], "127.0.0.2");
  EXPECT_EQ(nodes[0]["state"], "active");
}

// An empty public_url in manager.conf falls back to the listen address,
// so nodes never receive a relative announce URL.
TEST_F(ManagerApi, EnrolAnnounceUrlIsAbsolute) {
  auto keys = crypto::generate_key_pair();

  auto reply = send(protobuf_post("/v1/node/enrol", enrol_message(keys).SerializeAsString()));

  ASSERT_TRUE(reply->response);
  ASSERT_EQ(reply->response->result(), status::ok) << reply->response->body();
  proto::EnrolResponse response;
  ASSERT_TRUE(response.ParseFromString(reply->response->body()));
  EXPECT_THAT(response.announce_url(), ::testing::StartsWith("http://127.0.0.1:7000/announce/"));
}

// ---- node authentication ----

TEST_F(ManagerApi, SignedRequestAccepted) {
  auto node = enrol();

  auto reply = send(node_request(verb::get, "/v1/node/directives?after=0", node));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::ok) << reply->response->body();
}

TEST_F(ManagerApi, NodeRequestWithoutAuthHeaderUnauthorized) {
  http::Request request{verb::get, "/v1/node/directives?after=0", 11};
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(reply->response->body(), HasSubstr(crypto::kNodeAuthHeader));
}

TEST_F(ManagerApi, UnknownNodeIdUnauthorized) {
  enrol();
  auto keys = crypto::generate_key_pair();

  auto reply = send(signed_request(verb::get, "/v1/node/directives?after=0", "", "n0000000000000000",
                                   keys));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(reply->response->body(), HasSubstr("n0000000000000000"));
}

TEST_F(ManagerApi, SignatureByOtherKeyUnauthorized) {
  auto node = enrol();
  auto other_keys = crypto::generate_key_pair();

  auto reply = send(signed_request(verb::get, "/v1/node/directives?after=0", "", node.id,
                                   other_keys));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(reply->response->body(), HasSubstr("signature"));
}

TEST_F(ManagerApi, StaleTimestampUnauthorized) {
  auto node = enrol();

  auto reply = send(signed_request(verb::get, "/v1/node/directives?after=0", "", node.id,
                                   node.keys, unix_now() - 1000));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(reply->response->body(), HasSubstr("timestamp"));
}

TEST_F(ManagerApi, SignatureOverOtherTargetUnauthorized) {
  auto node = enrol();
  auto request = node_request(verb::get, "/v1/node/directives?after=0", node);
  request.target("/v1/node/directives?after=1");

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
}

TEST_F(ManagerApi, ReportBodyChangedAfterSigningUnauthorized) {
  auto node = enrol();
  add_release("app", "1.0");
  auto before = admin_json(verb::get, "/v1/status");
  auto request = node_request(verb::post, "/v1/node/report", node,
                              report_body("app", "1.0", proto::STATE_DOWNLOADING));
  request.body() = report_body("app", "1.0", proto::STATE_DONE);
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_EQ(admin_json(verb::get, "/v1/status"), before);
}

TEST_F(ManagerApi, RevokedNodeUnauthorized) {
  auto node = enrol();
  auto revoked = admin(verb::post, "/v1/nodes/" + node.id + "/revoke", "{}");
  ASSERT_EQ(revoked.result(), status::ok) << revoked.body();

  auto reply = send(node_request(verb::get, "/v1/node/directives?after=0", node));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::unauthorized);
  EXPECT_THAT(reply->response->body(), HasSubstr("revoked"));
}

// ---- directives ----

TEST_F(ManagerApi, DirectivesAfterZeroRespondAtOnce) {
  auto node = enrol();

  auto reply = send(node_request(verb::get, "/v1/node/directives?after=0", node));

  ASSERT_EQ(reply->calls, 1);
  ASSERT_EQ(reply->response->result(), status::ok) << reply->response->body();
  auto directives = parse_directives(*reply->response);
  EXPECT_GE(directives.sequence(), 1u);
  EXPECT_EQ(directives.role(), proto::ROLE_AGENT);
  EXPECT_EQ(directives.group(), "default");
}

TEST_F(ManagerApi, DirectivesWaitForChange) {
  auto node = enrol();
  const auto current = state_->hub.sequence();
  auto target = "/v1/node/directives?after=" + std::to_string(current);

  auto reply = send(node_request(verb::get, target, node));
  io_.poll();

  EXPECT_EQ(reply->calls, 0);
  ASSERT_EQ(admin(verb::post, "/v1/groups", R"({"name": "site-a"})").result(), status::ok);
  io_.poll();
  ASSERT_EQ(reply->calls, 1);
  ASSERT_EQ(reply->response->result(), status::ok) << reply->response->body();
  EXPECT_GT(parse_directives(*reply->response).sequence(), current);
}

TEST_F(ManagerApi, DirectivesRejectedChangeDoesNotWake) {
  auto node = enrol();
  auto target = "/v1/node/directives?after=" + std::to_string(state_->hub.sequence());
  auto reply = send(node_request(verb::get, target, node));

  auto rejected = admin(verb::delete_, "/v1/groups/default");
  io_.poll();

  EXPECT_EQ(rejected.result(), status::bad_request);
  EXPECT_EQ(reply->calls, 0);
}

TEST_F(ManagerApi, DirectivesInvalidAfterRejected) {
  auto node = enrol();

  auto reply = send(node_request(verb::get, "/v1/node/directives?after=soon", node));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("after"));
}

TEST_F(ManagerApi, RelayEnableChangesRole) {
  auto node = enrol();
  auto enabled = admin(verb::post, "/v1/nodes/" + node.id + "/relay", R"({"group": "default"})");
  ASSERT_EQ(enabled.result(), status::ok) << enabled.body();

  auto reply = send(node_request(verb::get, "/v1/node/directives?after=0", node));

  ASSERT_EQ(reply->calls, 1);
  ASSERT_EQ(reply->response->result(), status::ok) << reply->response->body();
  auto directives = parse_directives(*reply->response);
  EXPECT_EQ(directives.role(), proto::ROLE_RELAY);
  EXPECT_EQ(directives.group(), "default");
}

// ---- report ----

TEST_F(ManagerApi, ReportRecordsStatus) {
  auto node = enrol();
  add_release("app", "1.0");
  auto before = admin_json(verb::get, "/v1/status");

  auto reply = send(node_request(verb::post, "/v1/node/report", node,
                                 report_body("app", "1.0", proto::STATE_DONE)));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::no_content) << reply->response->body();
  auto after = admin_json(verb::get, "/v1/status");
  EXPECT_NE(after, before);
  EXPECT_EQ(after["releases"][0]["node_details"][0]["state"], "done") << after.dump();
}

TEST_F(ManagerApi, ReportUnspecifiedStateRejected) {
  auto node = enrol();
  add_release("app", "1.0");
  auto before = admin_json(verb::get, "/v1/status");

  auto reply = send(node_request(verb::post, "/v1/node/report", node,
                                 report_body("app", "1.0", proto::STATE_UNSPECIFIED)));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("app/1.0"));
  EXPECT_EQ(admin_json(verb::get, "/v1/status"), before);
}

TEST_F(ManagerApi, ReportUnknownReleaseRejected) {
  auto node = enrol();
  add_release("app", "1.0");
  auto before = admin_json(verb::get, "/v1/status");

  auto reply = send(node_request(verb::post, "/v1/node/report", node,
                                 report_body("ghost", "9.9", proto::STATE_DONE)));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_THAT(reply->response->body(), HasSubstr("ghost"));
  EXPECT_EQ(admin_json(verb::get, "/v1/status"), before);
}

// A report rejected for any item stores none of its items.
TEST_F(ManagerApi, ReportRejectedLaterItemRecordsNothing) {
  auto node = enrol();
  add_release("app", "1.0");
  auto before = admin_json(verb::get, "/v1/status");
  proto::StatusReport report;
  add_report_item(report, "app", "1.0", proto::STATE_DONE);
  add_report_item(report, "ghost", "9.9", proto::STATE_DONE);

  auto reply =
      send(node_request(verb::post, "/v1/node/report", node, report.SerializeAsString()));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::bad_request);
  EXPECT_EQ(admin_json(verb::get, "/v1/status"), before);
}

// ---- tracker ----

TEST_F(ManagerApi, AnnounceUnknownKeyFails) {
  http::Request request{verb::get,
                        "/announce/UNKNOWNKEY?info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d"
                        "%0e%0f%10%11%12%13%14&peer_id=-LT2080-abcdefghijkl&port=6881"
                        "&uploaded=0&downloaded=0&left=0&compact=1",
                        11};
  request.prepare_payload();

  auto reply = send(std::move(request));

  ASSERT_TRUE(reply->response);
  EXPECT_EQ(reply->response->result(), status::ok);
  EXPECT_THAT(reply->response->body(), ::testing::StartsWith("d14:failure reason"));
  EXPECT_THAT(reply->response->body(), HasSubstr("unknown node"));
  EXPECT_THAT(reply->response->body(), ::testing::Not(HasSubstr("UNKNOWNKEY")));
}

}  // namespace
}  // namespace cascade::manager
