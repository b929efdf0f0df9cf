#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace cascade::tracker {

enum class PeerRole { agent, relay };

// Node fields the peer policy reads: identity, role, group and address.
struct PeerNode {
  std::string id;
  PeerRole role = PeerRole::agent;
  std::string group;
  std::string address;  // IPv4 or IPv6 literal
  std::uint16_t port = 0;
};

struct GroupLinks {
  std::string parent;  // empty: on the primary source
  bool peer_sharing = false;
};

// Relay groups by name.
using Topology = std::map<std::string, GroupLinks>;

// Returns true if the tracker may hand `candidate` to `requester`:
//  - relays of the requester's own group, to anyone in that group;
//  - relays of the parent group, to relays only;
//  - agents of the requester's own group, when that group has peer sharing on.
// A node is never its own peer, and a node whose group is missing from
// `topology` may use no one.
bool may_use(const PeerNode& requester, const PeerNode& candidate, const Topology& topology);

// Filters swarm members by may_use and shuffles them with `random`, so each
// agent gets its group's relays in its own order. Relays come before agents,
// each part shuffled on its own, so a cut to `max_peers` drops agents first.
// Returns at most `max_peers`.
std::vector<PeerNode> select_peers(const PeerNode& requester, const std::vector<PeerNode>& members,
                                   const Topology& topology, std::mt19937_64& random,
                                   std::size_t max_peers);

}  // namespace cascade::tracker
