#include "node/node_config.hpp"

#include <unistd.h>

#include <boost/asio/ip/address.hpp>

#include "common/config_file.hpp"

namespace cascade::node {

Result<NodeConfig> NodeConfig::load(const std::string& path) {
  auto file = ConfigFile::load(path);
  if (!file) {
    return file.error();
  }
  // Every error below names the file and key; `cascade-node --help` lists the keys.
  if (auto known = file->reject_unknown({"manager_url", "data_dir", "listen_address",
                                         "listen_port", "hostname", "log_level", "upload_limit"});
      !known) {
    return known.error();
  }
  NodeConfig config;
  auto manager_url = file->require("manager_url");
  auto data_dir = file->require("data_dir");
  auto listen_address = file->require("listen_address");
  if (!manager_url) return manager_url.error();
  if (!data_dir) return data_dir.error();
  if (!listen_address) return listen_address.error();
  config.manager_url = *manager_url;
  config.data_dir = *data_dir;
  config.listen_address = *listen_address;

  boost::system::error_code error;
  boost::asio::ip::make_address(config.listen_address, error);
  if (error) {
    return make_error("read config " + path,
                      "listen_address '" + config.listen_address + "' is not an IP address");
  }
  auto port = file->get_int("listen_port", config.listen_port);
  if (!port) return port.error();
  if (*port <= 0 || *port > 65535) {
    return make_error("read config " + path, "listen_port must be between 1 and 65535");
  }
  config.listen_port = static_cast<std::uint16_t>(*port);

  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  config.hostname = file->get("hostname", host);
  config.log_level = file->get("log_level", config.log_level);
  auto upload_limit = file->get_int("upload_limit", 0);
  if (!upload_limit) return upload_limit.error();
  if (*upload_limit < 0) {
    return make_error("read config " + path, "upload_limit must be 0 (none) or a positive byte rate");
  }
  config.upload_limit = *upload_limit;
  return config;
}

}  // namespace cascade::node
