#pragma once

#include <chrono>
#include <string>

#include "common/result.hpp"
#include "crypto/keys.hpp"
#include "manager/registry.hpp"

namespace cascade::manager {

struct PublishRequest {
  std::string name;
  std::string version;
  // Directory to publish. It is copied to ORIGIN_ROOT/NAME/VERSION, where
  // the primary source serves it. Empty: the files are already there.
  std::string source_dir;
};

struct BuildSettings {
  std::string origin_url;   // primary source, serving origin_root
  std::string origin_root;  // local directory behind origin_url
  std::string announce_url;
  std::string output_dir;   // receives targets.json and release.torrent
  std::uint64_t metadata_version = 0;
  std::chrono::system_clock::time_point expires;
};

// Returns an error unless `text` is a usable release name or version:
// 1 to 64 characters of [A-Za-z0-9._+-], not starting with '.' or '-'.
Status validate_release_label(const std::string& what, const std::string& text);

// Builds a release: places the files at the primary source, creates a
// private v2 torrent with the primary source as web seed (the torrent's
// name is the version, so web seed URLs are ORIGIN/NAME/VERSION/PATH),
// hashes every file and writes the signed TUF targets document. Slow
// (hashes every byte twice); call it off the server's thread.
Result<Release> build_release(const PublishRequest& request, const BuildSettings& settings,
                              const crypto::KeyPair& targets_key);

// Largest power of two piece size that keeps the piece count at about 1024
// or fewer, between 16 KiB and 8 MiB.
int choose_piece_size(std::uint64_t total_bytes);

}  // namespace cascade::manager
