#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/cascade.pb.h"
#include "manager/registry.hpp"

namespace cascade::manager {

// Plain data a plan is made from: a snapshot of the registry.
struct RegistrySnapshot {
  std::vector<Group> groups;
  std::vector<Node> nodes;
  std::vector<Release> releases;
  // Ids of the nodes that have reported on each release, by "NAME/VERSION".
  std::map<std::string, std::set<std::string>> reporters;
  std::int64_t now = 0;  // unix seconds
};

// Seconds after publication when agents get a release even if some relays
// of their group never reported on it.
inline constexpr std::int64_t kAgentHoldSeconds = 15;

// Computes what one node must do for every published release. A relay
// gets a slice of the pieces to pull from outside its group: relays of
// the group, sorted by node id, split the pieces into equal shares, so
// the group pulls each piece from outside about once. A relay of a
// tier-1 group pulls its slice from the primary source; a relay of a
// child group pulls it from the parent group's relays, whose addresses
// the directive lists. An agent gets a release once every relay of its
// group has reported on it, so its first announce already returns all of
// them; or kAgentHoldSeconds after publication; or at once if its group
// has no relays, in which case it fetches from the primary source.
proto::Directives plan_directives(const Node& node, const RegistrySnapshot& snapshot,
                                  std::uint64_t sequence, std::uint32_t stall_timeout_seconds);

}  // namespace cascade::manager
