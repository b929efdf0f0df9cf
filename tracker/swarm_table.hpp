#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cascade::tracker {

// Nodes that announced each info hash recently. Pure data: the caller
// passes the time, so expiry is tested without sleeping.
class SwarmTable {
 public:
  using Clock = std::chrono::steady_clock;

  struct Member {
    std::string node_id;
    std::uint16_t port = 0;
    bool seed = false;  // announced left=0
    Clock::time_point last_announce;
  };

  explicit SwarmTable(std::chrono::seconds member_lifetime) : lifetime_(member_lifetime) {}

  // Records an announce; a `stopped` announce removes the member.
  void announce(const std::string& info_hash, const std::string& node_id, std::uint16_t port,
                bool seed, bool stopped, Clock::time_point now);
  // Members seen within the lifetime (an announce exactly one lifetime ago
  // still counts); drops the others.
  std::vector<Member> members(const std::string& info_hash, Clock::time_point now);
  // Drops expired members of every swarm, and swarms left empty. members()
  // only cleans the swarm it reads, so a swarm that no node announces to any more
  // stays until this runs.
  void expire(Clock::time_point now);
  std::size_t swarm_count() const { return swarms_.size(); }

 private:
  std::chrono::seconds lifetime_;
  std::map<std::string, std::map<std::string, Member>> swarms_;
};

}  // namespace cascade::tracker
