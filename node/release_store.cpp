#include "node/release_store.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace cascade::node {

namespace fs = std::filesystem;

ReleaseStore::ReleaseStore(const NodeConfig& config) : config_(config) {}

Status ReleaseStore::prepare() {
  std::error_code error;
  for (const auto& dir : {config_.releases_dir(), config_.staging_dir(), config_.metadata_dir()}) {
    fs::create_directories(dir, error);
    if (error) {
      return make_error("create " + dir, error.message());
    }
  }
  return ok_status();
}

std::string ReleaseStore::staging_save_path(const std::string& name) const {
  return config_.staging_dir() + "/" + name;
}

std::string ReleaseStore::installed_save_path(const std::string& name) const {
  return config_.releases_dir() + "/" + name;
}

std::string ReleaseStore::installed_dir(const std::string& name, const std::string& version) const {
  return installed_save_path(name) + "/" + version;
}

std::string ReleaseStore::metadata_path(const std::string& name, const std::string& version) const {
  return config_.metadata_dir() + "/" + name + "/" + version + ".json";
}

bool ReleaseStore::is_installed(const std::string& name, const std::string& version) const {
  std::error_code error;
  return fs::is_directory(installed_dir(name, version), error) &&
         fs::exists(metadata_path(name, version), error);
}

std::optional<std::string> ReleaseStore::stored_metadata(const std::string& name,
                                                        const std::string& version) const {
  std::ifstream in(metadata_path(name, version));
  if (!in) {
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::uint64_t ReleaseStore::stored_metadata_version(const std::string& name,
                                                    const std::string& version) const {
  auto text = stored_metadata(name, version);
  if (!text) {
    return 0;
  }
  auto document = nlohmann::json::parse(*text, nullptr, false);
  if (!document.is_object() || !document.contains("signed") || !document["signed"].is_object()) {
    return 0;
  }
  const auto& signed_version = document["signed"]["version"];
  return signed_version.is_number_unsigned() ? signed_version.get<std::uint64_t>() : 0;
}

Status ReleaseStore::save_metadata(const std::string& name, const std::string& version,
                                   const std::string& document) {
  const std::string path = metadata_path(name, version);
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  {
    std::ofstream out(path + ".partial", std::ios::trunc);
    out << document;
    if (!out) {
      return make_error("save metadata of " + name + "/" + version, "cannot write " + path);
    }
  }
  fs::rename(path + ".partial", path, error);
  if (error) {
    return make_error("save metadata of " + name + "/" + version, error.message());
  }
  return ok_status();
}

Status ReleaseStore::verify_files(const std::string& root, const crypto::TargetsMetadata& metadata) {
  for (const auto& file : metadata.files) {
    const std::string path = root + "/" + file.path;
    std::error_code error;
    auto size = fs::file_size(path, error);
    if (error) {
      return make_error("verify " + file.path, "missing: " + error.message());
    }
    if (size != file.length) {
      return make_error("verify " + file.path, "length " + std::to_string(size) +
                                                   " differs from the signed " +
                                                   std::to_string(file.length));
    }
    auto digest = crypto::sha256_file_hex(path);
    if (!digest) {
      return digest.error();
    }
    if (*digest != file.sha256) {
      return make_error("verify " + file.path,
                        "sha256 " + *digest + " differs from the signed " + file.sha256);
    }
  }
  return ok_status();
}

Status ReleaseStore::install(const crypto::TargetsMetadata& metadata,
                             const std::string& metadata_document) {
  const auto& name = metadata.release_name;
  const auto& version = metadata.release_version;
  const std::string staged = staging_save_path(name) + "/" + version;
  if (auto verified = verify_files(staged, metadata); !verified) {
    return verified;
  }
  std::error_code error;
  fs::create_directories(installed_save_path(name), error);
  const std::string metadata_file = metadata_path(name, version);
  fs::create_directories(fs::path(metadata_file).parent_path(), error);
  {
    std::ofstream out(metadata_file + ".partial", std::ios::trunc);
    out << metadata_document;
    if (!out) {
      return make_error("install " + name + "/" + version, "cannot write " + metadata_file);
    }
  }
  fs::rename(metadata_file + ".partial", metadata_file, error);
  if (error) {
    return make_error("install " + name + "/" + version, error.message());
  }
  // The release is assembled from hard links under a temporary name and
  // renamed into place, so it appears whole or not at all, and the staged
  // files stay valid for a torrent that is still seeding them.
  const std::string destination = installed_dir(name, version);
  const std::string partial = installed_save_path(name) + "/." + version + ".partial";
  fs::remove_all(partial, error);
  for (const auto& file : metadata.files) {
    const fs::path target = fs::path(partial) / file.path;
    fs::create_directories(target.parent_path(), error);
    fs::create_hard_link(staged + "/" + file.path, target, error);
    if (error) {
      // Another file system: fall back to a copy.
      fs::copy_file(staged + "/" + file.path, target, fs::copy_options::overwrite_existing, error);
    }
    if (error) {
      fs::remove_all(partial);
      return make_error("install " + name + "/" + version,
                        "link " + file.path + " into " + partial + ": " + error.message());
    }
  }
  fs::remove_all(destination, error);  // a leftover without metadata is not installed
  fs::rename(partial, destination, error);
  if (error) {
    return make_error("install " + name + "/" + version,
                      "move " + partial + " to " + destination + ": " + error.message());
  }
  return ok_status();
}

}  // namespace cascade::node
