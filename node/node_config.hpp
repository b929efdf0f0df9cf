#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace cascade::node {

// Settings of a node's configuration file.
struct NodeConfig {
  std::string manager_url;     // e.g. http://127.0.0.1:7000
  std::string data_dir;
  std::string listen_address;  // the BitTorrent session binds here
  std::uint16_t listen_port = 6881;
  std::string hostname;        // defaults to the machine's host name
  std::string log_level = "info";
  // Upload limit in bytes per second for every peer, LAN peers included;
  // 0 for none. Used to slow transfers down in tests and on busy links.
  int upload_limit = 0;

  static Result<NodeConfig> load(const std::string& path);

  std::string identity_key_path() const { return data_dir + "/identity.key"; }
  std::string enrolment_path() const { return data_dir + "/enrolment.conf"; }
  std::string releases_dir() const { return data_dir + "/releases"; }
  std::string staging_dir() const { return data_dir + "/staging"; }
  std::string metadata_dir() const { return data_dir + "/metadata"; }
};

}  // namespace cascade::node
