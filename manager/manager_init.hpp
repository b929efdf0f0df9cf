#pragma once

#include <string>

#include "common/result.hpp"
#include "manager/manager_config.hpp"

namespace cascade::manager {

// Random secret of `bytes` bytes from libsodium, as hex.
std::string random_token(std::size_t bytes);

// Creates a manager data directory: registry, Ed25519 signing keys, admin
// and enrolment tokens (all secrets mode 0600) and manager.conf. Rejects
// a directory that already contains a registry, so it never replaces keys.
Status initialise_data_dir(const ManagerPaths& paths, const ManagerConfig& config);

// Reads a token file, without surrounding whitespace.
Result<std::string> read_token(const std::string& path);

}  // namespace cascade::manager
