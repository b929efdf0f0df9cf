#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/http_client.hpp"
#include "common/result.hpp"
#include "crypto/keys.hpp"
#include "node/node_config.hpp"
#include "proto/cascade.pb.h"

namespace cascade::node {

// Enrolment record a node keeps: its id, tracker URL and pinned key.
struct Enrolment {
  std::string node_id;
  std::string announce_url;
  crypto::PublicKey targets_key{};  // pinned release-signing key

  static Result<Enrolment> load(const std::string& path);
  Status save(const std::string& path) const;
};

// Enrols a new node: creates its identity key, sends it to the manager
// with the enrolment token and saves the reply. Refuses a data directory
// that is already enrolled.
Result<Enrolment> enrol(const NodeConfig& config, const std::string& enrolment_token);

// Signed requests from an enrolled node to the manager's node API.
class ManagerClient {
 public:
  ManagerClient(http::Url manager, std::string bind_address, Enrolment enrolment,
                crypto::KeyPair identity);

  // Long poll: returns when the manager's sequence passes `after`, or after
  // about 25 s with the current directives.
  Result<proto::Directives> poll_directives(std::uint64_t after);
  Result<std::string> fetch_release_file(const std::string& name, const std::string& version,
                                         const std::string& file);
  Status send_report(const proto::StatusReport& report);

  const Enrolment& enrolment() const { return enrolment_; }

 private:
  Result<http::ClientResponse> send(const std::string& method, const std::string& target,
                                    const std::string& body, std::chrono::milliseconds timeout);

  http::Url manager_;
  std::string bind_address_;
  Enrolment enrolment_;
  crypto::KeyPair identity_;
};

}  // namespace cascade::node
