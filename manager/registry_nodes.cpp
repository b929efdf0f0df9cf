// Registry: nodes, their roles and their relay groups.

#include <sqlite3.h>

#include "manager/registry.hpp"
#include "manager/registry_sql.hpp"

namespace cascade::manager {
namespace {

constexpr const char* kSelectNode =
    "SELECT id, public_key, announce_key, hostname, address, port, role, group_name, state, "
    "enrolled_at FROM nodes";

std::string quoted(const std::string& value) { return "'" + value + "'"; }

// "enable relay on node 'n1'", or "... node" when the id is empty.
std::string node_operation(const std::string& action, const std::string& id) {
  return id.empty() ? action + " node" : action + " node " + quoted(id);
}

// The CHECK constraints on nodes keep role and state to these values.
Node read_node(const sql::Statement& row) {
  Node node;
  node.id = row.text(0);
  node.public_key_hex = row.text(1);
  node.announce_key = row.text(2);
  node.hostname = row.text(3);
  node.address = row.text(4);
  node.port = static_cast<std::uint16_t>(row.int64(5));
  node.role = row.text(6) == "relay" ? NodeRole::relay : NodeRole::agent;
  node.group = row.text(7);
  node.state = row.text(8) == "revoked" ? NodeState::revoked : NodeState::active;
  node.enrolled_at = row.int64(9);
  return node;
}

// Loads a node, or fails with "node not found".
Result<Node> load_node(sqlite3* db, const std::string& id) {
  auto select = sql::Statement::prepare(db, std::string(kSelectNode) + " WHERE id = ?1");
  if (!select) return select.error();
  auto row = select->bind_all(id).step();
  if (!row) return row.error();
  if (!*row) return Error{"node not found; check the node id or enrol the node"};
  return read_node(*select);
}

Status check_group_exists(sqlite3* db, const std::string& group) {
  if (group.empty()) {
    return Error{"the group is empty; pass '" + std::string(kDefaultGroup) +
                 "' or another relay group"};
  }
  auto exists = sql::row_exists(db, "SELECT 1 FROM groups WHERE name = ?1", group);
  if (!exists) return exists.error();
  if (!*exists) return Error{"group " + quoted(group) + " not found; create it first"};
  return ok_status();
}

// Checks that the id and announce key of a new node are unused and that its
// group exists.
Status check_new_node(sqlite3* db, const Node& node) {
  auto same_id = sql::row_exists(db, "SELECT 1 FROM nodes WHERE id = ?1", node.id);
  if (!same_id) return same_id.error();
  if (*same_id) return Error{"a node with this id already exists; enrol with a new id"};

  // The announce key is a secret, so the message names only its owner.
  auto owner = sql::Statement::prepare(db, "SELECT id FROM nodes WHERE announce_key = ?1");
  if (!owner) return owner.error();
  auto row = owner->bind_all(node.announce_key).step();
  if (!row) return row.error();
  if (*row) {
    return Error{"the announce key is already used by node " + quoted(owner->text(0)) +
                 "; generate a new one"};
  }
  return check_group_exists(db, node.group);
}

Status insert_node(sqlite3* db, const Node& node) {
  return sql::run(db,
                  "INSERT INTO nodes (id, public_key, announce_key, hostname, address, port, "
                  "role, group_name, state, enrolled_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                  node.id, node.public_key_hex, node.announce_key, node.hostname, node.address,
                  node.port, to_string(node.role), node.group, to_string(node.state),
                  node.enrolled_at);
}

// Runs `change` on an existing node inside a transaction. `change` receives
// the stored node and returns an error to reject the change.
template <class Change>
Status change_node(sqlite3* db, const std::string& operation, const std::string& id,
                   Change change) {
  Status result = sql::in_transaction(db, [&]() -> Status {
    auto node = load_node(db, id);
    if (!node) return node.error();
    return change(*node);
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

}  // namespace

Status Registry::add_node(const Node& node) {
  const std::string operation = node_operation("add", node.id);
  if (node.id.empty()) {
    return make_error(operation, "the node id is empty");
  }
  if (node.announce_key.empty()) {
    return make_error(operation, "the announce key is empty; generate one at enrolment");
  }
  Status result = sql::in_transaction(db_, [&]() -> Status {
    if (auto valid = check_new_node(db_, node); !valid) return valid;
    return insert_node(db_, node);
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Result<Node> Registry::get_node(const std::string& id) const {
  auto node = load_node(db_, id);
  if (!node) return make_error(node_operation("get", id), node.error().message);
  return node;
}

std::optional<Node> Registry::find_node_by_announce_key(const std::string& announce_key) const {
  auto select =
      sql::Statement::prepare(db_, std::string(kSelectNode) + " WHERE announce_key = ?1");
  if (!select) return std::nullopt;
  auto row = select->bind_all(announce_key).step();
  if (!row || !*row) return std::nullopt;
  return read_node(*select);
}

Result<std::vector<Node>> Registry::list_nodes() const {
  auto select = sql::Statement::prepare(db_, std::string(kSelectNode) + " ORDER BY id");
  if (!select) return make_error("list nodes", select.error().message);
  std::vector<Node> nodes;
  while (true) {
    auto row = select->step();
    if (!row) return make_error("list nodes", row.error().message);
    if (!*row) break;
    nodes.push_back(read_node(*select));
  }
  return nodes;
}

Status Registry::enable_relay(const std::string& node_id, const std::string& group) {
  const std::string operation =
      node_operation("enable relay role of", node_id) + " in group " + quoted(group);
  return change_node(db_, operation, node_id, [&](const Node& node) -> Status {
    if (node.state == NodeState::revoked) {
      return Error{"the node is revoked; enrol it again before making it a relay"};
    }
    if (auto exists = check_group_exists(db_, group); !exists) return exists;
    return sql::run(db_, "UPDATE nodes SET role = 'relay', group_name = ?2 WHERE id = ?1",
                    node_id, group);
  });
}

Status Registry::disable_relay(const std::string& node_id) {
  // Disabling the role of an agent changes nothing and succeeds, so a
  // retried request does not fail.
  return change_node(db_, node_operation("disable relay role of", node_id), node_id,
                     [&](const Node&) -> Status {
                       return sql::run(db_, "UPDATE nodes SET role = 'agent' WHERE id = ?1",
                                       node_id);
                     });
}

Status Registry::assign_agent(const std::string& node_id, const std::string& group) {
  const std::string operation = node_operation("assign", node_id) + " to group " + quoted(group);
  return change_node(db_, operation, node_id, [&](const Node& node) -> Status {
    if (node.role == NodeRole::relay) {
      return Error{"node " + quoted(node_id) + " is a relay of group " + quoted(node.group) +
                   "; disable the relay role first"};
    }
    if (auto exists = check_group_exists(db_, group); !exists) return exists;
    return sql::run(db_, "UPDATE nodes SET group_name = ?2 WHERE id = ?1", node_id, group);
  });
}

Status Registry::revoke_node(const std::string& node_id) {
  return change_node(db_, node_operation("revoke", node_id), node_id,
                     [&](const Node&) -> Status {
                       return sql::run(db_, "UPDATE nodes SET state = 'revoked' WHERE id = ?1",
                                       node_id);
                     });
}

Status Registry::update_node_endpoint(const std::string& node_id, const std::string& address,
                                      std::uint16_t port) {
  const std::string operation = node_operation("update endpoint of", node_id);
  if (address.empty()) {
    return make_error(operation, "the address is empty; pass the address the node listens on");
  }
  return change_node(db_, operation, node_id, [&](const Node&) -> Status {
    return sql::run(db_, "UPDATE nodes SET address = ?2, port = ?3 WHERE id = ?1", node_id,
                    address, port);
  });
}

}  // namespace cascade::manager
