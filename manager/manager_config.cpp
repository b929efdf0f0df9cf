#include "manager/manager_config.hpp"

#include <sstream>

#include "common/config_file.hpp"

namespace cascade::manager {

ManagerPaths::ManagerPaths(std::string dir) : data_dir(std::move(dir)) {
  while (data_dir.size() > 1 && data_dir.back() == '/') {
    data_dir.pop_back();
  }
}

Result<ManagerConfig> ManagerConfig::load(const std::string& path) {
  auto file = ConfigFile::load(path);
  if (!file) {
    return file.error();
  }
  if (auto known = file->reject_unknown({"listen_address", "listen_port", "public_url",
                                         "origin_url", "origin_root", "metadata_lifetime_days",
                                         "stall_timeout_seconds", "log_level"});
      !known) {
    return known.error();
  }
  ManagerConfig config;
  config.listen_address = file->get("listen_address", config.listen_address);
  auto port = file->get_int("listen_port", config.listen_port);
  if (!port) {
    return port.error();
  }
  if (*port <= 0 || *port > 65535) {
    return make_error("read config " + path, "listen_port must be between 1 and 65535");
  }
  config.listen_port = static_cast<std::uint16_t>(*port);
  config.public_url = file->get("public_url", "");
  if (config.public_url.empty()) {
    config.public_url =
        "http://" + config.listen_address + ":" + std::to_string(config.listen_port);
  }
  config.origin_url = file->get("origin_url", "");
  config.origin_root = file->get("origin_root", "");
  auto lifetime = file->get_int("metadata_lifetime_days", config.metadata_lifetime_days);
  if (!lifetime) {
    return lifetime.error();
  }
  config.metadata_lifetime_days = *lifetime;
  auto stall = file->get_int("stall_timeout_seconds", config.stall_timeout_seconds);
  if (!stall) {
    return stall.error();
  }
  config.stall_timeout_seconds = *stall;
  config.log_level = file->get("log_level", config.log_level);
  while (!config.origin_url.empty() && config.origin_url.back() == '/') {
    config.origin_url.pop_back();
  }
  return config;
}

std::string ManagerConfig::to_text() const {
  std::ostringstream out;
  out << "# Cascade manager settings.\n"
      << "listen_address = " << listen_address << "\n"
      << "listen_port = " << listen_port << "\n"
      << "# URL nodes use to reach the manager and its tracker.\n"
      << "public_url = " << public_url << "\n"
      << "# Primary update source: URL nodes download from, and the local\n"
      << "# directory it serves, where `release publish` places files.\n"
      << "origin_url = " << origin_url << "\n"
      << "origin_root = " << origin_root << "\n"
      << "metadata_lifetime_days = " << metadata_lifetime_days << "\n"
      << "# Seconds without progress before a relay falls back to its upstream.\n"
      << "stall_timeout_seconds = " << stall_timeout_seconds << "\n"
      << "log_level = " << log_level << "\n";
  return out.str();
}

}  // namespace cascade::manager
