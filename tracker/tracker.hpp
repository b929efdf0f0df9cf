#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/peer_policy.hpp"
#include "tracker/swarm_table.hpp"

namespace cascade::tracker {

// Registry view the tracker reads: nodes, known info hashes and groups.
class NodeDirectory {
 public:
  virtual ~NodeDirectory() = default;
  // Active node with this announce key; nullopt for unknown or revoked.
  virtual std::optional<PeerNode> find_by_announce_key(const std::string& announce_key) = 0;
  virtual std::optional<PeerNode> find_by_id(const std::string& node_id) = 0;
  // True if a published release has this torrent; the argument is the
  // 20-byte announce info hash (a v2 hash truncated to 20 bytes) in hex.
  virtual bool is_known_info_hash(const std::string& info_hash_hex) = 0;
  // Valid until the directory next changes; the tracker reads it per announce.
  virtual const Topology& topology() = 0;
};

// HTTP tracker logic without sockets: takes a request target and returns
// the bencoded body. Every rejection is a bencoded "failure reason".
class Tracker {
 public:
  // How long a swarm member stays listed after its last announce: four
  // announce intervals, so one or two lost announces do not drop it.
  static constexpr std::chrono::seconds member_lifetime{120};
  static constexpr int announce_interval_seconds = 30;
  static constexpr int min_announce_interval_seconds = 5;

  Tracker(NodeDirectory& directory, std::function<SwarmTable::Clock::time_point()> clock,
          std::uint64_t random_seed);

  // Records the announce in its swarm and returns the peers the node may
  // use, or a failure reason when the request, the node or the info hash is
  // invalid. A rejected announce changes no swarm.
  std::string handle_announce(std::string_view target);

 private:
  std::string reject(const std::string& reason, SwarmTable::Clock::time_point now);
  std::vector<PeerNode> swarm_peers(const std::vector<SwarmTable::Member>& members);

  NodeDirectory& directory_;
  std::function<SwarmTable::Clock::time_point()> clock_;
  SwarmTable swarms_;
  std::mt19937_64 random_;
  SwarmTable::Clock::time_point last_expiry_;
  // Rejections are peer-triggered, so at most one per 10 seconds is logged
  // at warn level. The others are counted and logged at debug level.
  std::optional<SwarmTable::Clock::time_point> last_rejection_warning_;
  std::uint64_t suppressed_rejections_ = 0;
};

}  // namespace cascade::tracker
