#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
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

// Checks a target path that a node will write under the release directory:
// relative, '/'-separated, no "..", no backslash, no empty or "." segment, no
// control character, valid UTF-8.
Status validate_target_path(std::string_view path);

// Checks the rules verify_targets enforces on the content: version at least
// 1, at least one file, non-empty release name and version, a 64-digit
// lowercase hex v2 info hash, valid and unique paths, lowercase hex SHA-256.
// Call it before sign_targets, which cannot report errors.
Status validate_targets(const TargetsMetadata& metadata);

// Builds the TUF targets document and signs the canonical JSON of its
// `signed` object. Returns the document as JSON text. `expires` is written
// in whole seconds (rounded down). Metadata that fails validate_targets still
// yields a document, but verify_targets rejects it.
std::string sign_targets(const TargetsMetadata& metadata, const KeyPair& keys);

// Parses a targets document, checks its Ed25519 signature by the pinned key
// over the canonical JSON of `signed`, then its type, its expiry at `now`
// (expired unless expires > now) and every rule of validate_targets. Every
// rejection names the reason (malformed field, not signed by the pinned key,
// bad signature, expired, invalid path or hash).
Result<TargetsMetadata> verify_targets(const std::string& document, const PublicKey& trusted_key,
                                       std::chrono::system_clock::time_point now);

}  // namespace cascade::crypto
