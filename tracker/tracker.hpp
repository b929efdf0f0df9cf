#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "tracker/peer_policy.hpp"
#include "tracker/swarm_table.hpp"

namespace cascade::tracker {

// What the tracker reads from the manager's registry.
class NodeDirectory {
 public:
  virtual ~NodeDirectory() = default;
  // Active node with this announce key; nullopt for unknown or revoked.
  virtual std::optional<PeerNode> find_by_announce_key(const std::string& announce_key) = 0;
  virtual std::optional<PeerNode> find_by_id(const std::string& node_id) = 0;
  // True if a published release has this torrent; the argument is the
  // 20-byte announce info hash (a v2 hash truncated to 20 bytes) in hex.
  virtual bool is_known_info_hash(const std::string& info_hash_hex) = 0;
  virtual Topology topology() = 0;
};

// HTTP tracker logic without sockets: takes a request target and returns
// the bencoded body. Every rejection is a bencoded "failure reason".
class Tracker {
 public:
  Tracker(NodeDirectory& directory, std::function<SwarmTable::Clock::time_point()> clock,
          std::uint64_t random_seed);

  std::string handle_announce(std::string_view target);

 private:
  NodeDirectory& directory_;
  std::function<SwarmTable::Clock::time_point()> clock_;
  SwarmTable swarms_;
  std::mt19937_64 random_;
};

}  // namespace cascade::tracker
