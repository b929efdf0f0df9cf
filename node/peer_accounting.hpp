#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cascade::node {

// Payload bytes received per peer address, summed from libtorrent's
// block_finished alerts, so bytes from a connection that has since closed
// still count.
class PeerAccounting {
 public:
  // `origin` marks a web seed, whose bytes count as primary-source bytes.
  void add(const std::string& address, std::uint64_t bytes, bool origin);

  const std::map<std::string, std::uint64_t>& bytes_by_address() const { return peers_; }
  std::uint64_t origin_bytes() const { return origin_; }

 private:
  std::map<std::string, std::uint64_t> peers_;
  std::uint64_t origin_ = 0;
};

}  // namespace cascade::node
