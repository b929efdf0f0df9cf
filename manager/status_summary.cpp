#include "manager/status_summary.hpp"

#include <set>

namespace cascade::manager {

nlohmann::json summarise_release(const Release& release, const std::vector<Node>& nodes,
                                 const std::vector<ReleaseStatus>& statuses) {
  std::map<std::string, const Node*> by_address;
  std::map<std::string, const Node*> by_id;
  for (const auto& node : nodes) {
    by_address[node.address] = &node;
    by_id[node.id] = &node;
  }

  nlohmann::json groups = nlohmann::json::object();
  nlohmann::json rows = nlohmann::json::array();
  std::map<std::string, std::uint64_t> counts{
      {"done", 0}, {"downloading", 0}, {"failed", 0}, {"pending", 0}};
  std::uint64_t origin_bytes = 0;

  for (const auto& status : statuses) {
    auto node_it = by_id.find(status.node_id);
    if (node_it == by_id.end()) {
      continue;
    }
    const Node& node = *node_it->second;
    counts[status.state] += 1;
    origin_bytes += status.origin_bytes;

    std::uint64_t outside = status.origin_bytes;
    nlohmann::json peers = nlohmann::json::object();
    auto reported = nlohmann::json::parse(status.peer_bytes_json, nullptr, false);
    if (reported.is_object()) {
      for (const auto& [address, bytes] : reported.items()) {
        auto peer = by_address.find(address);
        const std::uint64_t count = bytes.is_number_unsigned() ? bytes.get<std::uint64_t>() : 0;
        if (peer == by_address.end()) {
          peers[address] = count;
          outside += count;
          continue;
        }
        peers[peer->second->id] = count;
        if (peer->second->group != node.group) {
          outside += count;
        }
      }
    }
    auto& group = groups[node.group];
    if (!group.contains("outside_bytes")) {
      group["outside_bytes"] = 0;
    }
    group["outside_bytes"] = group["outside_bytes"].get<std::uint64_t>() + outside;

    rows.push_back({{"id", node.id},
                    {"hostname", node.hostname},
                    {"address", node.address},
                    {"group", node.group},
                    {"role", to_string(node.role)},
                    {"state", status.state},
                    {"bytes_done", status.bytes_done},
                    {"bytes_total", status.bytes_total},
                    {"origin_bytes", status.origin_bytes},
                    {"peers", peers},
                    {"fallbacks", status.fallbacks},
                    {"hash_failures", status.hash_failures},
                    {"error", status.error},
                    {"updated_at", status.updated_at}});
  }

  // Pending: active nodes without any report. Reports of revoked nodes
  // must not hide an active node that never reported.
  std::set<std::string> reported;
  for (const auto& status : statuses) {
    reported.insert(status.node_id);
  }
  for (const auto& node : nodes) {
    if (node.state == NodeState::active && reported.count(node.id) == 0) {
      counts["pending"] += 1;
    }
  }

  for (auto& [name, group] : groups.items()) {
    const double size = release.total_bytes ? static_cast<double>(release.total_bytes) : 1.0;
    group["outside_ratio"] = group["outside_bytes"].get<double>() / size;
  }
  return {{"name", release.name},
          {"version", release.version},
          {"info_hash", release.info_hash},
          {"metadata_version", release.metadata_version},
          {"total_bytes", release.total_bytes},
          {"files", release.file_count},
          {"nodes", counts},
          {"origin_bytes", origin_bytes},
          {"groups", groups},
          {"node_details", rows}};
}

}  // namespace cascade::manager
