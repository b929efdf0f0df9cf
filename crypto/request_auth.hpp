#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "crypto/keys.hpp"

namespace cascade::crypto {

// A node signs each request to the manager with its identity key. The
// header value is "Cascade node=ID ts=UNIX_SECONDS sig=HEX".
inline constexpr const char* kNodeAuthHeader = "X-Cascade-Auth";

struct RequestAuth {
  std::string node_id;
  std::int64_t timestamp = 0;
  Signature signature{};
};

// Bytes that are signed: method, target, timestamp and the body's SHA-256,
// one per line.
std::string request_signing_message(const std::string& method, const std::string& target,
                                    std::int64_t timestamp, const std::string& body);

std::string make_auth_header(const std::string& node_id, const KeyPair& keys,
                             const std::string& method, const std::string& target,
                             std::int64_t timestamp, const std::string& body);

Result<RequestAuth> parse_auth_header(const std::string& value);

}  // namespace cascade::crypto
