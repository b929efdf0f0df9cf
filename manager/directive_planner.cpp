#include "manager/directive_planner.hpp"

#include <algorithm>
#include <set>

#include "manager/registry_directory.hpp"
#include "tracker/peer_policy.hpp"

namespace cascade::manager {

namespace {

const Group* find_group(const RegistrySnapshot& snapshot, const std::string& name) {
  for (const auto& group : snapshot.groups) {
    if (group.name == name) {
      return &group;
    }
  }
  return nullptr;
}

std::vector<const Node*> active_relays_of(const RegistrySnapshot& snapshot,
                                          const std::string& group) {
  std::vector<const Node*> relays;
  for (const auto& node : snapshot.nodes) {
    if (node.role == NodeRole::relay && node.state == NodeState::active && node.group == group) {
      relays.push_back(&node);
    }
  }
  std::sort(relays.begin(), relays.end(),
            [](const Node* a, const Node* b) { return a->id < b->id; });
  return relays;
}

// Lists the nodes the tracker may hand to this node or hand this node to.
void add_allowed_peers(const Node& node, const RegistrySnapshot& snapshot,
                       proto::Directives& directives) {
  tracker::Topology topology;
  for (const auto& group : snapshot.groups) {
    topology[group.name] = tracker::GroupLinks{group.parent, group.peer_sharing};
  }
  const auto self = to_peer_node(node);
  std::set<std::string> addresses;
  for (const auto& other : snapshot.nodes) {
    if (other.state != NodeState::active || other.id == node.id) {
      continue;
    }
    const auto peer = to_peer_node(other);
    if (tracker::may_use(self, peer, topology) || tracker::may_use(peer, self, topology)) {
      addresses.insert(other.address);
    }
  }
  for (const auto& address : addresses) {
    directives.add_allowed_peer_addresses(address);
  }
}

// True once an agent may start on the release: every relay of its group
// has reported on it (so has joined the swarm), or the hold time is over.
bool relays_ready(const RegistrySnapshot& snapshot, const Release& release,
                  const std::vector<const Node*>& group_relays) {
  if (snapshot.now - release.published_at >= kAgentHoldSeconds) {
    return true;
  }
  auto reported = snapshot.reporters.find(release.name + "/" + release.version);
  for (const Node* relay : group_relays) {
    if (reported == snapshot.reporters.end() || reported->second.count(relay->id) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

proto::Directives plan_directives(const Node& node, const RegistrySnapshot& snapshot,
                                  std::uint64_t sequence, std::uint32_t stall_timeout_seconds) {
  proto::Directives directives;
  directives.set_sequence(sequence);
  directives.set_role(node.role == NodeRole::relay ? proto::ROLE_RELAY : proto::ROLE_AGENT);
  directives.set_group(node.group);
  directives.set_stall_timeout_seconds(stall_timeout_seconds);
  if (node.state != NodeState::active) {
    return directives;
  }
  add_allowed_peers(node, snapshot, directives);
  if (const Group* own = find_group(snapshot, node.group)) {
    directives.set_peer_sharing(node.role == NodeRole::agent && own->peer_sharing);
  }

  std::uint32_t slice_index = 0;
  std::uint32_t slice_count = 1;
  bool from_origin = false;
  std::vector<std::string> upstream;
  if (node.role == NodeRole::relay) {
    auto relays = active_relays_of(snapshot, node.group);
    for (const Node* relay : relays) {
      directives.add_group_relay_addresses(relay->address);
    }
    auto self = std::find_if(relays.begin(), relays.end(),
                             [&](const Node* relay) { return relay->id == node.id; });
    slice_count = static_cast<std::uint32_t>(std::max<std::size_t>(relays.size(), 1));
    slice_index = self == relays.end() ? 0 : static_cast<std::uint32_t>(self - relays.begin());
    const Group* group = find_group(snapshot, node.group);
    if (group == nullptr || group->parent.empty()) {
      // TODO: pass the group's proxy_url so relays reach the primary source
      // through it. libtorrent's proxy settings apply to the whole session,
      // so they would also route LAN peer connections through the proxy.
      from_origin = true;
    } else {
      for (const Node* parent_relay : active_relays_of(snapshot, group->parent)) {
        upstream.push_back(parent_relay->address);
      }
      // NOTE: a child group whose parent has no relays falls back to the
      // primary source, so a release is never stranded.
      from_origin = upstream.empty();
    }
  } else {
    // An agent whose group has no relays has no peer to fetch from, so it
    // goes to the primary source at once instead of after a stall.
    from_origin = active_relays_of(snapshot, node.group).empty();
  }

  const auto group_relays = active_relays_of(snapshot, node.group);
  for (const auto& release : snapshot.releases) {
    if (node.role == NodeRole::agent && !relays_ready(snapshot, release, group_relays)) {
      continue;
    }
    auto* directive = directives.add_releases();
    directive->set_name(release.name);
    directive->set_version(release.version);
    directive->set_info_hash(release.info_hash);
    directive->set_slice_index(slice_index);
    directive->set_slice_count(slice_count);
    directive->set_fetch_from_origin(from_origin);
    for (const auto& address : upstream) {
      directive->add_upstream_addresses(address);
    }
  }
  return directives;
}

}  // namespace cascade::manager
