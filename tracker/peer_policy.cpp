#include "tracker/peer_policy.hpp"

#include <algorithm>

namespace cascade::tracker {

bool may_use(const PeerNode& requester, const PeerNode& candidate, const Topology& topology) {
  if (candidate.id == requester.id) {
    return false;
  }
  // A group missing from the topology has no known rules, so its nodes get
  // no peers at all rather than a guess.
  auto group = topology.find(requester.group);
  if (group == topology.end()) {
    return false;
  }
  const GroupLinks& links = group->second;

  if (candidate.role == PeerRole::relay) {
    if (candidate.group == requester.group) {
      return true;
    }
    return requester.role == PeerRole::relay && !links.parent.empty() &&
           candidate.group == links.parent;
  }
  return links.peer_sharing && candidate.group == requester.group;
}

std::vector<PeerNode> select_peers(const PeerNode& requester, const std::vector<PeerNode>& members,
                                   const Topology& topology, std::mt19937_64& random,
                                   std::size_t max_peers) {
  std::vector<PeerNode> relays;
  std::vector<PeerNode> agents;
  for (const auto& member : members) {
    if (!may_use(requester, member, topology)) {
      continue;
    }
    if (member.role == PeerRole::relay) {
      relays.push_back(member);
    } else {
      agents.push_back(member);
    }
  }
  std::shuffle(relays.begin(), relays.end(), random);
  std::shuffle(agents.begin(), agents.end(), random);

  // Relays come first, so a cut to max_peers drops agents before any relay,
  // because early in a download only the relays have the release.
  std::vector<PeerNode> selected = std::move(relays);
  selected.insert(selected.end(), agents.begin(), agents.end());
  if (selected.size() > max_peers) {
    selected.resize(max_peers);
  }
  return selected;
}

}  // namespace cascade::tracker
