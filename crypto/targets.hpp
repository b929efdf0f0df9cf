#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "crypto/keys.hpp"

namespace cascade::crypto {

// One file of a release, as a TUF target. The path is relative to the
// release's root directory and uses '/' separators.
struct TargetFile {
  std::string path;
  std::uint64_t length = 0;
  std::string sha256;  // hex
};

// The `signed` part of a TUF targets document for one release. Release
// name, version and info hash travel in each target's "custom" object,
// which TUF reserves for application data.
struct TargetsMetadata {
  std::uint64_t version = 0;  // TUF metadata version, increases per release
  std::chrono::system_clock::time_point expires;
  std::string release_name;
  std::string release_version;
  std::string info_hash;  // v2 info hash of the release torrent, hex
  std::vector<TargetFile> files;
};

// Builds the TUF targets document and signs the canonical JSON of its
// `signed` object. Returns the document as JSON text.
std::string sign_targets(const TargetsMetadata& metadata, const KeyPair& keys);

// Parses a targets document, checks its Ed25519 signature by the pinned key,
// its type and its expiry at `now`. Every rejection names the reason
// (malformed, wrong key, bad signature, expired).
Result<TargetsMetadata> verify_targets(const std::string& document, const PublicKey& trusted_key,
                                       std::chrono::system_clock::time_point now);

}  // namespace cascade::crypto
