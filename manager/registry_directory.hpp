#pragma once

#include <map>
#include <set>
#include <string>

#include "manager/registry.hpp"
#include "tracker/tracker.hpp"

namespace cascade::manager {

// The tracker's view of the registry, held in memory so an announce does
// not touch SQLite. The manager calls refresh() after every change.
class RegistryDirectory : public tracker::NodeDirectory {
 public:
  explicit RegistryDirectory(Registry& registry) : registry_(registry) {}

  Status refresh();

  std::optional<tracker::PeerNode> find_by_announce_key(const std::string& announce_key) override;
  std::optional<tracker::PeerNode> find_by_id(const std::string& node_id) override;
  bool is_known_info_hash(const std::string& info_hash_hex) override;
  const tracker::Topology& topology() override { return topology_; }

 private:
  Registry& registry_;
  std::map<std::string, tracker::PeerNode> nodes_by_id_;
  std::map<std::string, std::string> node_ids_by_announce_key_;
  std::set<std::string> announce_info_hashes_;  // v2 hashes cut to 20 bytes, hex
  tracker::Topology topology_;
};

tracker::PeerNode to_peer_node(const Node& node);

}  // namespace cascade::manager
