#include "node/peer_accounting.hpp"

namespace cascade::node {

void PeerAccounting::add(const std::string& address, std::uint64_t bytes, bool origin) {
  if (origin) {
    origin_ += bytes;
  } else {
    peers_[address] += bytes;
  }
}

}  // namespace cascade::node
