#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace cascade::manager {

// Files under the manager's data directory.
struct ManagerPaths {
  explicit ManagerPaths(std::string data_dir);

  std::string data_dir;
  std::string config() const { return data_dir + "/manager.conf"; }
  std::string registry() const { return data_dir + "/registry.sqlite"; }
  std::string targets_key() const { return data_dir + "/keys/targets.key"; }
  std::string root_key() const { return data_dir + "/keys/root.key"; }
  std::string admin_token() const { return data_dir + "/admin.token"; }
  std::string enrolment_token() const { return data_dir + "/enrolment.token"; }
  std::string release_dir(const std::string& name, const std::string& version) const {
    return data_dir + "/releases/" + name + "/" + version;
  }
};

// Settings of manager.conf.
struct ManagerConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 7000;
  // Address nodes use to reach the manager; defaults to the listen address.
  std::string public_url;
  // Primary update source: the URL nodes fetch from, and the local
  // directory that URL serves, where published releases are placed.
  std::string origin_url;
  std::string origin_root;
  int metadata_lifetime_days = 30;
  int stall_timeout_seconds = 10;
  std::string log_level = "info";

  static Result<ManagerConfig> load(const std::string& path);
  std::string to_text() const;
  std::string announce_base() const { return public_url + "/announce"; }
};

}  // namespace cascade::manager
