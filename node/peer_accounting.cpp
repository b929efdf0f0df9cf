#include "node/peer_accounting.hpp"

namespace cascade::node {

void PeerAccounting::observe(const std::string& connection, const std::string& address,
                             std::uint64_t total, bool origin) {
  auto& entry = connections_[connection];
  entry.address = address;
  entry.origin = origin;
  if (total < entry.current) {
    entry.closed_total += entry.current;
  }
  entry.current = total;
}

std::map<std::string, std::uint64_t> PeerAccounting::bytes_by_address() const {
  std::map<std::string, std::uint64_t> totals;
  for (const auto& [key, entry] : connections_) {
    if (!entry.origin) {
      totals[entry.address] += entry.closed_total + entry.current;
    }
  }
  return totals;
}

std::uint64_t PeerAccounting::origin_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [key, entry] : connections_) {
    if (entry.origin) {
      total += entry.closed_total + entry.current;
    }
  }
  return total;
}

}  // namespace cascade::node
