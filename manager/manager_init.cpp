#include "manager/manager_init.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/keys.hpp"
#include "manager/registry.hpp"

namespace cascade::manager {

namespace fs = std::filesystem;

namespace {

Status write_secret_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return make_error("write " + path, std::strerror(errno));
  }
  auto written = ::write(fd, content.data(), content.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(content.size())) {
    return make_error("write " + path, "short write");
  }
  return ok_status();
}

}  // namespace

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  randombytes_buf(buffer.data(), buffer.size());
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(buffer.data()), bytes));
}

Status initialise_data_dir(const ManagerPaths& paths, const ManagerConfig& config) {
  if (auto status = crypto::initialise(); !status) {
    return status;
  }
  std::error_code error;
  if (fs::exists(paths.registry(), error)) {
    return make_error("initialise " + paths.data_dir,
                      "it already holds a registry; use another directory, or `run` this one");
  }
  fs::create_directories(paths.data_dir + "/keys", error);
  if (error) {
    return make_error("create " + paths.data_dir + "/keys", error.message());
  }
  fs::create_directories(paths.data_dir + "/releases", error);
  fs::permissions(paths.data_dir, fs::perms::owner_all, error);
  fs::permissions(paths.data_dir + "/keys", fs::perms::owner_all, error);

  for (const auto& key_path : {paths.root_key(), paths.targets_key()}) {
    if (auto status = crypto::save_key_pair(crypto::generate_key_pair(), key_path); !status) {
      return status;
    }
  }
  if (auto status = write_secret_file(paths.admin_token(), random_token(32) + "\n"); !status) {
    return status;
  }
  if (auto status = write_secret_file(paths.enrolment_token(), random_token(32) + "\n"); !status) {
    return status;
  }
  auto registry = Registry::open(paths.registry());
  if (!registry) {
    return registry.error();
  }
  std::ofstream out(paths.config());
  out << config.to_text();
  if (!out) {
    return make_error("write " + paths.config(), "cannot write the file");
  }
  return ok_status();
}

Result<std::string> read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error("read " + path, "cannot open the file");
  }
  std::string token;
  in >> token;
  if (token.empty()) {
    return make_error("read " + path, "the file is empty");
  }
  return token;
}

}  // namespace cascade::manager
