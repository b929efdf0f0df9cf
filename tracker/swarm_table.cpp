#include "tracker/swarm_table.hpp"

namespace cascade::tracker {

void SwarmTable::announce(const std::string& info_hash, const std::string& node_id,
                          std::uint16_t port, bool seed, bool stopped, Clock::time_point now) {
  if (stopped) {
    auto swarm = swarms_.find(info_hash);
    if (swarm == swarms_.end()) {
      return;
    }
    swarm->second.erase(node_id);
    if (swarm->second.empty()) {
      swarms_.erase(swarm);
    }
    return;
  }
  swarms_[info_hash][node_id] = Member{node_id, port, seed, now};
}

std::vector<SwarmTable::Member> SwarmTable::members(const std::string& info_hash,
                                                     Clock::time_point now) {
  std::vector<Member> alive;
  auto swarm = swarms_.find(info_hash);
  if (swarm == swarms_.end()) {
    return alive;
  }
  auto& swarm_members = swarm->second;
  for (auto member = swarm_members.begin(); member != swarm_members.end();) {
    if (now - member->second.last_announce > lifetime_) {
      member = swarm_members.erase(member);
    } else {
      alive.push_back(member->second);
      ++member;
    }
  }
  if (swarm_members.empty()) {
    swarms_.erase(swarm);
  }
  return alive;
}

void SwarmTable::expire(Clock::time_point now) {
  for (auto swarm = swarms_.begin(); swarm != swarms_.end();) {
    std::erase_if(swarm->second, [&](const auto& entry) {
      return now - entry.second.last_announce > lifetime_;
    });
    if (swarm->second.empty()) {
      swarm = swarms_.erase(swarm);
    } else {
      ++swarm;
    }
  }
}

}  // namespace cascade::tracker
