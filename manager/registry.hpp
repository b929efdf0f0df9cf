#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

struct sqlite3;

namespace cascade::manager {

inline constexpr const char* kDefaultGroup = "default";

struct Group {
  std::string name;
  std::string parent;     // empty: the group pulls from the primary source
  std::string proxy_url;  // optional proxy to the primary source
  bool peer_sharing = false;  // agents of the group may fetch from each other

  bool operator==(const Group&) const = default;
};

enum class NodeRole { agent, relay };
enum class NodeState { active, revoked };

const char* to_string(NodeRole role);
const char* to_string(NodeState state);

struct Node {
  std::string id;
  std::string public_key_hex;  // Ed25519 identity key
  std::string announce_key;    // secret in the node's tracker URL
  std::string hostname;
  std::string address;         // where its BitTorrent session listens
  std::uint16_t port = 0;
  NodeRole role = NodeRole::agent;
  std::string group;
  NodeState state = NodeState::active;
  std::int64_t enrolled_at = 0;  // unix seconds

  bool operator==(const Node&) const = default;
};

struct Release {
  std::string name;
  std::string version;
  std::uint64_t metadata_version = 0;  // TUF targets version
  std::string info_hash;               // v2, 64 hex digits
  std::uint64_t total_bytes = 0;
  std::uint64_t file_count = 0;
  std::int64_t published_at = 0;       // unix seconds

  bool operator==(const Release&) const = default;
};

// Latest report of one node about one release.
struct ReleaseStatus {
  std::string node_id;
  std::string release_name;
  std::string release_version;
  std::string state;  // "downloading", "done" or "failed"
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::uint64_t origin_bytes = 0;
  std::string peer_bytes_json;  // {"ADDRESS": BYTES, ...}
  std::string error;
  std::uint32_t fallbacks = 0;
  std::uint32_t hash_failures = 0;
  std::int64_t updated_at = 0;

  bool operator==(const ReleaseStatus&) const = default;
};

// The manager's registry in one SQLite file. Every change runs in a
// transaction and is checked first, so a rejected change leaves the file
// untouched. Not thread-safe: the manager calls it from one thread.
class Registry {
 public:
  // Opens or creates the file, applies pending schema migrations in order
  // and makes sure the default group exists.
  static Result<std::unique_ptr<Registry>> open(const std::string& path);
  ~Registry();

  int schema_version() const;

  // Groups. `parent` empty means the primary source. Rejected: duplicate
  // or empty name, unknown parent, a parent that would close a cycle,
  // deleting the default group or a group that still has relays, agents
  // or child groups.
  Status create_group(const Group& group);
  Status update_group(const Group& group);
  Status delete_group(const std::string& name);
  Result<std::vector<Group>> list_groups() const;
  Result<Group> get_group(const std::string& name) const;
  // Depth in the hierarchy: 1 for a group on the primary source.
  Result<int> group_tier(const std::string& name) const;

  // Nodes. add_node rejects a duplicate id or announce key and an unknown group.
  Status add_node(const Node& node);
  Result<Node> get_node(const std::string& id) const;
  std::optional<Node> find_node_by_announce_key(const std::string& announce_key) const;
  Result<std::vector<Node>> list_nodes() const;
  // Makes the node a relay of `group`.
  Status enable_relay(const std::string& node_id, const std::string& group);
  // Makes a relay an agent again; it stays in its group.
  Status disable_relay(const std::string& node_id);
  Status assign_agent(const std::string& node_id, const std::string& group);
  Status revoke_node(const std::string& node_id);
  Status update_node_endpoint(const std::string& node_id, const std::string& address,
                              std::uint16_t port);

  // Releases. add_release rejects a duplicate (name, version).
  Status add_release(const Release& release);
  Result<Release> get_release(const std::string& name, const std::string& version) const;
  std::optional<Release> find_release_by_info_hash(const std::string& info_hash_hex) const;
  Result<std::vector<Release>> list_releases() const;
  // Highest TUF targets version issued so far, 0 if none.
  Result<std::uint64_t> latest_metadata_version() const;

  // Node reports; the latest replaces the previous one of the same node
  // and release. Rejects an unknown node or release.
  Status record_status(const ReleaseStatus& status);
  Result<std::vector<ReleaseStatus>> list_status(const std::string& release_name,
                                                 const std::string& release_version) const;

  // Settings: free-form key/value pairs.
  Status set_setting(const std::string& key, const std::string& value);
  std::optional<std::string> get_setting(const std::string& key) const;

 private:
  explicit Registry(sqlite3* db);
  sqlite3* db_;
};

}  // namespace cascade::manager
