#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cascade::node {

// Payload bytes received per peer address, from periodic samples of each
// connection's running total. A total that drops means the connection was
// replaced, so the earlier total is kept and the new one added.
class PeerAccounting {
 public:
  // `connection` identifies one connection (address and port); `origin`
  // marks a web seed, whose bytes count as primary-source bytes.
  void observe(const std::string& connection, const std::string& address, std::uint64_t total,
               bool origin);

  std::map<std::string, std::uint64_t> bytes_by_address() const;
  std::uint64_t origin_bytes() const;

 private:
  struct Connection {
    std::string address;
    bool origin = false;
    std::uint64_t closed_total = 0;  // bytes of earlier connections on this key
    std::uint64_t current = 0;
  };
  std::map<std::string, Connection> connections_;
};

}  // namespace cascade::node
