#include "manager/registry_directory.hpp"

namespace cascade::manager {

tracker::PeerNode to_peer_node(const Node& node) {
  tracker::PeerNode peer;
  peer.id = node.id;
  peer.role = node.role == NodeRole::relay ? tracker::PeerRole::relay : tracker::PeerRole::agent;
  peer.group = node.group;
  peer.address = node.address;
  peer.port = node.port;
  return peer;
}

Status RegistryDirectory::refresh() {
  auto nodes = registry_.list_nodes();
  auto groups = registry_.list_groups();
  auto releases = registry_.list_releases();
  if (!nodes) return nodes.error();
  if (!groups) return groups.error();
  if (!releases) return releases.error();

  nodes_by_id_.clear();
  node_ids_by_announce_key_.clear();
  for (const auto& node : *nodes) {
    if (node.state != NodeState::active) {
      continue;
    }
    nodes_by_id_[node.id] = to_peer_node(node);
    node_ids_by_announce_key_[node.announce_key] = node.id;
  }
  topology_.clear();
  for (const auto& group : *groups) {
    topology_[group.name] = tracker::GroupLinks{group.parent, group.peer_sharing};
  }
  announce_info_hashes_.clear();
  for (const auto& release : *releases) {
    // BitTorrent v2 announces the SHA-256 info hash truncated to 20 bytes.
    announce_info_hashes_.insert(release.info_hash.substr(0, 40));
  }
  return ok_status();
}

std::optional<tracker::PeerNode> RegistryDirectory::find_by_announce_key(
    const std::string& announce_key) {
  auto found = node_ids_by_announce_key_.find(announce_key);
  if (found == node_ids_by_announce_key_.end()) {
    return std::nullopt;
  }
  return find_by_id(found->second);
}

std::optional<tracker::PeerNode> RegistryDirectory::find_by_id(const std::string& node_id) {
  auto found = nodes_by_id_.find(node_id);
  if (found == nodes_by_id_.end()) {
    return std::nullopt;
  }
  return found->second;
}

bool RegistryDirectory::is_known_info_hash(const std::string& info_hash_hex) {
  return announce_info_hashes_.count(info_hash_hex) > 0;
}

}  // namespace cascade::manager
