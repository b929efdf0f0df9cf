#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "crypto/targets.hpp"
#include "node/node_config.hpp"

namespace cascade::node {

// A node's releases on disk. Downloads land in DATA/staging/NAME/VERSION;
// a release whose every file matches the signed metadata moves to
// DATA/releases/NAME/VERSION in one rename, and its metadata is kept in
// DATA/metadata/NAME/VERSION.json. A release counts as installed only when
// both exist, so a crash between the two steps leaves it not installed.
class ReleaseStore {
 public:
  explicit ReleaseStore(const NodeConfig& config);

  Status prepare();

  // libtorrent save paths: the torrent's name is the version, so files
  // land under SAVE_PATH/VERSION/.
  std::string staging_save_path(const std::string& name) const;
  std::string installed_save_path(const std::string& name) const;
  std::string installed_dir(const std::string& name, const std::string& version) const;

  bool is_installed(const std::string& name, const std::string& version) const;
  // Signed metadata kept for a release, if any.
  std::optional<std::string> stored_metadata(const std::string& name,
                                             const std::string& version) const;
  // TUF targets version of the kept metadata; 0 if none or unreadable.
  std::uint64_t stored_metadata_version(const std::string& name,
                                        const std::string& version) const;
  // Replaces the kept metadata of an installed release, e.g. with a copy
  // whose expiry the manager extended.
  Status save_metadata(const std::string& name, const std::string& version,
                       const std::string& document);

  // Checks the length and SHA-256 of every file under `root` against the
  // metadata; the error names the first file that differs.
  static Status verify_files(const std::string& root, const crypto::TargetsMetadata& metadata);

  // Verifies the staged download, keeps the metadata and moves the release
  // into place. Leaves the staged files untouched on failure.
  Status install(const crypto::TargetsMetadata& metadata, const std::string& metadata_document);

 private:
  std::string metadata_path(const std::string& name, const std::string& version) const;

  NodeConfig config_;
};

}  // namespace cascade::node
