#include "node/manager_client.hpp"

#include <filesystem>
#include <fstream>

#include "common/config_file.hpp"
#include "crypto/request_auth.hpp"

namespace cascade::node {

namespace fs = std::filesystem;

namespace {

constexpr const char* kProtobuf = "application/x-protobuf";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Formats a non-2xx response as an error that quotes the manager's message.
Error http_error(const std::string& operation, const http::ClientResponse& response) {
  auto body = response.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return make_error(operation, "HTTP " + std::to_string(response.status) + ": " + body);
}

}  // namespace

Result<Enrolment> Enrolment::load(const std::string& path) {
  auto file = ConfigFile::load(path);
  if (!file) {
    return make_error("load enrolment", file.error().message + "; run `cascade-node enrol` first");
  }
  Enrolment enrolment;
  auto node_id = file->require("node_id");
  auto announce_url = file->require("announce_url");
  auto key_hex = file->require("targets_key");
  if (!node_id) return node_id.error();
  if (!announce_url) return announce_url.error();
  if (!key_hex) return key_hex.error();
  auto key = crypto::public_key_from_hex(*key_hex);
  if (!key) return make_error("load enrolment " + path, key.error().message);
  enrolment.node_id = *node_id;
  enrolment.announce_url = *announce_url;
  enrolment.targets_key = *key;
  return enrolment;
}

Status Enrolment::save(const std::string& path) const {
  auto partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << "# Written by `cascade-node enrol`; the announce URL is a secret.\n"
        << "node_id = " << node_id << "\n"
        << "announce_url = " << announce_url << "\n"
        << "targets_key = " << crypto::to_hex(targets_key) << "\n";
    if (!out) {
      return make_error("save enrolment " + path, "cannot write the file");
    }
  }
  fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) {
    return make_error("save enrolment " + path, error.message());
  }
  return ok_status();
}

Result<Enrolment> enrol(const NodeConfig& config, const std::string& enrolment_token) {
  if (auto status = crypto::initialise(); !status) {
    return status.error();
  }
  std::error_code error;
  if (fs::exists(config.enrolment_path(), error)) {
    return make_error("enrol", config.data_dir +
                                   " is already enrolled; use a new data_dir to enrol again");
  }
  fs::create_directories(config.data_dir, error);
  if (error) {
    return make_error("enrol", "create " + config.data_dir + ": " + error.message());
  }
  auto url = http::Url::parse(config.manager_url);
  if (!url) {
    return url.error();
  }

  // A key left by an interrupted enrolment is reused, so a retry works.
  auto identity = crypto::load_key_pair(config.identity_key_path());
  if (!identity) {
    auto fresh = crypto::generate_key_pair();
    if (auto saved = crypto::save_key_pair(fresh, config.identity_key_path()); !saved) {
      return saved.error();
    }
    identity = fresh;
  }

  proto::EnrolRequest request;
  request.set_enrolment_token(enrolment_token);
  request.set_public_key(
      std::string(reinterpret_cast<const char*>(identity->public_key.data()), 32));
  request.set_hostname(config.hostname);
  request.set_address(config.listen_address);
  request.set_listen_port(config.listen_port);

  http::ClientRequest http_request;
  http_request.method = "POST";
  http_request.target = "/v1/node/enrol";
  http_request.body = request.SerializeAsString();
  http_request.content_type = kProtobuf;
  http_request.bind_address = config.listen_address;
  auto response = http::send(*url, http_request);
  if (!response) {
    return response.error();
  }
  if (response->status != 200) {
    return http_error("enrol with " + config.manager_url, *response);
  }
  proto::EnrolResponse reply;
  if (!reply.ParseFromString(response->body) || reply.targets_public_key().size() != 32) {
    return make_error("enrol with " + config.manager_url, "malformed reply from the manager");
  }
  Enrolment enrolment;
  enrolment.node_id = reply.node_id();
  enrolment.announce_url = reply.announce_url();
  std::copy(reply.targets_public_key().begin(), reply.targets_public_key().end(),
            enrolment.targets_key.begin());
  if (auto saved = enrolment.save(config.enrolment_path()); !saved) {
    return saved.error();
  }
  return enrolment;
}

ManagerClient::ManagerClient(http::Url manager, std::string bind_address, Enrolment enrolment,
                             crypto::KeyPair identity)
    : manager_(std::move(manager)),
      bind_address_(std::move(bind_address)),
      enrolment_(std::move(enrolment)),
      identity_(identity) {}

Result<http::ClientResponse> ManagerClient::send(const std::string& method,
                                                 const std::string& target,
                                                 const std::string& body,
                                                 std::chrono::milliseconds timeout) {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.content_type = body.empty() ? "" : kProtobuf;
  request.timeout = timeout;
  request.bind_address = bind_address_;
  // The signature covers the full target as the manager receives it.
  request.headers[crypto::kNodeAuthHeader] = crypto::make_auth_header(
      enrolment_.node_id, identity_, method, manager_.path + target, unix_now(), body);
  return http::send(manager_, request);
}

Result<proto::Directives> ManagerClient::poll_directives(std::uint64_t after) {
  auto response = send("GET", "/v1/node/directives?after=" + std::to_string(after), "",
                       std::chrono::seconds(40));
  if (!response) {
    return response.error();
  }
  if (response->status != 200) {
    return http_error("poll directives", *response);
  }
  proto::Directives directives;
  if (!directives.ParseFromString(response->body)) {
    return make_error("poll directives", "malformed reply from the manager");
  }
  return directives;
}

Result<std::string> ManagerClient::fetch_release_file(const std::string& name,
                                                      const std::string& version,
                                                      const std::string& file) {
  auto response = send("GET", "/v1/node/releases/" + name + "/" + version + "/" + file, "",
                       std::chrono::seconds(30));
  if (!response) {
    return response.error();
  }
  if (response->status != 200) {
    return http_error("fetch " + name + "/" + version + "/" + file, *response);
  }
  return std::move(response->body);
}

Status ManagerClient::send_report(const proto::StatusReport& report) {
  auto response = send("POST", "/v1/node/report", report.SerializeAsString(),
                       std::chrono::seconds(10));
  if (!response) {
    return response.error();
  }
  if (response->status != 204 && response->status != 200) {
    return http_error("send report", *response);
  }
  return ok_status();
}

}  // namespace cascade::node
