#include "manager/registry.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "manager/registry_schema.hpp"
#include "manager/registry_sql.hpp"

namespace cascade::manager {
namespace {

// How long a statement waits for a lock held by another connection, such as
// an operator's sqlite3 shell or a backup, before it fails with SQLITE_BUSY.
constexpr int kBusyTimeoutMilliseconds = 5000;
constexpr std::size_t kMaxGroupNameLength = 64;

std::string quoted(const std::string& value) { return "'" + value + "'"; }

// "create group 'edge'", or "create group" when the name is empty.
std::string group_operation(const char* verb, const std::string& name) {
  std::string operation = std::string(verb) + " group";
  return name.empty() ? operation : operation + " " + quoted(name);
}

std::optional<std::string> check_group_name(const std::string& name) {
  if (name.empty()) {
    return "the group name is empty; use 1 to 64 letters, digits, '.', '_' or '-'";
  }
  if (name.size() > kMaxGroupNameLength) {
    return "the group name is " + std::to_string(name.size()) +
           " characters long; the maximum is 64";
  }
  // ASCII only, so the process locale cannot widen the set.
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  };
  auto bad = std::find_if_not(name.begin(), name.end(), allowed);
  if (bad != name.end()) {
    return "the group name contains '" + std::string(1, *bad) +
           "'; use only letters, digits, '.', '_' or '-'";
  }
  return std::nullopt;
}

Status configure_connection(sqlite3* db) {
  sqlite3_busy_timeout(db, kBusyTimeoutMilliseconds);
  if (auto enabled = sql::exec(db, "PRAGMA foreign_keys = ON"); !enabled) {
    return enabled;
  }
  auto foreign_keys = sql::query_int64(db, "PRAGMA foreign_keys");
  if (!foreign_keys) return foreign_keys.error();
  if (*foreign_keys != 1) {
    return Error{"this SQLite build does not enforce foreign keys"};
  }

  auto journal = sql::Statement::prepare(db, "PRAGMA journal_mode = WAL");
  if (!journal) return journal.error();
  auto row = journal->step();
  if (!row) return row.error();
  const std::string mode = *row ? journal->text(0) : "";
  // An in-memory database reports "memory" and has no journal file at all.
  if (mode != "wal" && mode != "memory") {
    return Error{"journal mode is '" + mode +
                 "' instead of 'wal'; keep the registry on a local file system"};
  }
  return ok_status();
}

Result<bool> group_exists(sqlite3* db, const std::string& name) {
  return sql::row_exists(db, "SELECT 1 FROM groups WHERE name = ?1", name);
}

// Returns `start`, its parent, its grandparent and so on up to a tier-1
// group. Empty when `start` is not a group. Stops at a repeated name, so a
// corrupted file cannot loop forever.
Result<std::vector<std::string>> ancestor_chain(sqlite3* db, const std::string& start) {
  std::vector<std::string> chain;
  std::set<std::string> seen;
  std::string current = start;
  while (!current.empty() && seen.insert(current).second) {
    auto lookup = sql::Statement::prepare(db, "SELECT parent FROM groups WHERE name = ?1");
    if (!lookup) return lookup.error();
    auto row = lookup->bind_all(current).step();
    if (!row) return row.error();
    if (!*row) break;
    chain.push_back(current);
    current = lookup->text(0);
  }
  return chain;
}

// Checks that `group.parent` may become the group's update source.
Status check_parent(sqlite3* db, const Group& group) {
  if (group.parent.empty()) return ok_status();
  if (group.name == kDefaultGroup) {
    return Error{"the default group always uses the primary source; leave its parent empty"};
  }
  if (group.parent == group.name) {
    return Error{"a group cannot be its own parent; choose another parent or leave it empty"};
  }
  auto chain = ancestor_chain(db, group.parent);
  if (!chain) return chain.error();
  if (chain->empty()) {
    return Error{"parent group " + quoted(group.parent) +
                 " not found; create it first or leave the parent empty for the primary source"};
  }
  auto repeat = std::find(chain->begin(), chain->end(), group.name);
  if (repeat != chain->end()) {
    std::string cycle = group.name;
    for (auto it = chain->begin(); it != std::next(repeat); ++it) cycle += " -> " + *it;
    return Error{"parent " + quoted(group.parent) + " would create the parent cycle " + cycle +
                 "; choose a parent that is not " + quoted(group.name) +
                 " or one of its descendants"};
  }
  return ok_status();
}

// "2 relays", "1 child group": a count with its noun, plural when needed.
std::string count_of(std::int64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// "a", "a and b", "a, b and c".
std::string join_list(const std::vector<std::string>& items) {
  std::string joined;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += (i + 1 == items.size()) ? " and " : ", ";
    joined += items[i];
  }
  return joined;
}

// Rejects deleting a group that relays, agents or child groups still use.
Status check_group_unused(sqlite3* db, const std::string& name) {
  auto relays = sql::query_int64(
      db, "SELECT COUNT(*) FROM nodes WHERE group_name = ?1 AND role = 'relay'", name);
  auto agents = sql::query_int64(
      db, "SELECT COUNT(*) FROM nodes WHERE group_name = ?1 AND role = 'agent'", name);
  auto children = sql::query_int64(db, "SELECT COUNT(*) FROM groups WHERE parent = ?1", name);
  for (const auto* count : {&relays, &agents, &children}) {
    if (!*count) return count->error();
  }

  std::vector<std::string> users;
  if (*relays > 0) users.push_back(count_of(*relays, "relay"));
  if (*agents > 0) users.push_back(count_of(*agents, "agent"));
  if (*children > 0) users.push_back(count_of(*children, "child group"));
  if (users.empty()) return ok_status();
  return Error{"it still has " + join_list(users) + "; move or delete them first"};
}

Group read_group(const sql::Statement& row) {
  Group group;
  group.name = row.text(0);
  group.parent = row.text(1);
  group.proxy_url = row.text(2);
  group.peer_sharing = row.int64(3) != 0;
  return group;
}

constexpr const char* kSelectGroup = "SELECT name, parent, proxy_url, peer_sharing FROM groups";

}  // namespace

const char* to_string(NodeRole role) { return role == NodeRole::relay ? "relay" : "agent"; }

const char* to_string(NodeState state) {
  return state == NodeState::revoked ? "revoked" : "active";
}

Registry::Registry(sqlite3* db) : db_(db) {}

Registry::~Registry() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<Registry>> Registry::open(const std::string& path) {
  const std::string operation = "open registry " + path;
  sqlite3* db = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             nullptr);
  // The registry owns the handle from here on, so every return closes it.
  std::unique_ptr<Registry> registry(new Registry(db));
  if (code != SQLITE_OK) {
    return make_error(operation, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  }
  if (auto configured = configure_connection(db); !configured) {
    return make_error(operation, configured.error().message);
  }
  if (auto migrated = apply_migrations(db, registry_migrations()); !migrated) {
    return make_error(operation, migrated.error().message);
  }

  auto insert = sql::Statement::prepare(db, "INSERT OR IGNORE INTO groups (name) VALUES (?1)");
  if (!insert) return make_error(operation, insert.error().message);
  if (auto inserted = insert->bind_all(kDefaultGroup).run(); !inserted) {
    return make_error(operation + ": create the default group", inserted.error().message);
  }
  return registry;
}

int Registry::schema_version() const {
  auto version = read_schema_version(db_);
  return version ? *version : 0;
}

Status Registry::create_group(const Group& group) {
  const std::string operation = group_operation("create", group.name);
  if (auto invalid = check_group_name(group.name)) {
    return make_error(operation, *invalid);
  }
  Status result = sql::in_transaction(db_, [&]() -> Status {
    auto exists = group_exists(db_, group.name);
    if (!exists) return exists.error();
    if (*exists) {
      return Error{"a group with this name already exists; choose another name"};
    }
    if (auto parent = check_parent(db_, group); !parent) return parent;

    auto insert = sql::Statement::prepare(
        db_, "INSERT INTO groups (name, parent, proxy_url, peer_sharing) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return insert.error();
    insert->bind_all(group.name);
    insert->bind_or_null(2, group.parent);
    insert->bind(3, group.proxy_url);
    insert->bind(4, group.peer_sharing);
    return insert->run();
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Status Registry::update_group(const Group& group) {
  const std::string operation = group_operation("update", group.name);
  Status result = sql::in_transaction(db_, [&]() -> Status {
    auto exists = group_exists(db_, group.name);
    if (!exists) return exists.error();
    if (!*exists) return Error{"group not found; create it first"};
    if (auto parent = check_parent(db_, group); !parent) return parent;

    auto update = sql::Statement::prepare(
        db_, "UPDATE groups SET parent = ?2, proxy_url = ?3, peer_sharing = ?4 WHERE name = ?1");
    if (!update) return update.error();
    update->bind_all(group.name);
    update->bind_or_null(2, group.parent);
    update->bind(3, group.proxy_url);
    update->bind(4, group.peer_sharing);
    return update->run();
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Status Registry::delete_group(const std::string& name) {
  const std::string operation = group_operation("delete", name);
  if (name == kDefaultGroup) {
    return make_error(operation, "the default group always exists and cannot be deleted");
  }
  Status result = sql::in_transaction(db_, [&]() -> Status {
    auto exists = group_exists(db_, name);
    if (!exists) return exists.error();
    if (!*exists) return Error{"group not found"};
    if (auto unused = check_group_unused(db_, name); !unused) return unused;

    auto erase = sql::Statement::prepare(db_, "DELETE FROM groups WHERE name = ?1");
    if (!erase) return erase.error();
    return erase->bind_all(name).run();
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Result<std::vector<Group>> Registry::list_groups() const {
  auto select = sql::Statement::prepare(db_, std::string(kSelectGroup) + " ORDER BY name");
  if (!select) return make_error("list groups", select.error().message);
  std::vector<Group> groups;
  while (true) {
    auto row = select->step();
    if (!row) return make_error("list groups", row.error().message);
    if (!*row) break;
    groups.push_back(read_group(*select));
  }
  return groups;
}

Result<Group> Registry::get_group(const std::string& name) const {
  const std::string operation = group_operation("get", name);
  auto select = sql::Statement::prepare(db_, std::string(kSelectGroup) + " WHERE name = ?1");
  if (!select) return make_error(operation, select.error().message);
  auto row = select->bind_all(name).step();
  if (!row) return make_error(operation, row.error().message);
  if (!*row) return make_error(operation, "group not found");
  return read_group(*select);
}

Result<int> Registry::group_tier(const std::string& name) const {
  const std::string operation = "compute tier of group " + quoted(name);
  auto chain = ancestor_chain(db_, name);
  if (!chain) return make_error(operation, chain.error().message);
  if (chain->empty()) return make_error(operation, "group not found");
  return static_cast<int>(chain->size());
}

}  // namespace cascade::manager
