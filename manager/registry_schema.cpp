#include "manager/registry_schema.hpp"

#include <string>

#include "manager/registry_sql.hpp"

namespace cascade::manager {
namespace {

// Append new steps at the end and never edit a released one, because
// existing registry files have already applied it.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE groups (
  name TEXT PRIMARY KEY NOT NULL,
  parent TEXT REFERENCES groups(name),  -- NULL: the primary source
  proxy_url TEXT NOT NULL DEFAULT '',
  peer_sharing INTEGER NOT NULL DEFAULT 0 CHECK (peer_sharing IN (0, 1)),
  CHECK (parent IS NULL OR parent <> name)
);
CREATE INDEX groups_parent ON groups(parent);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY NOT NULL,
  public_key TEXT NOT NULL,
  announce_key TEXT NOT NULL UNIQUE,
  hostname TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  port INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),
  role TEXT NOT NULL CHECK (role IN ('agent', 'relay')),
  group_name TEXT NOT NULL REFERENCES groups(name),
  state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
  enrolled_at INTEGER NOT NULL  -- unix seconds
);
CREATE INDEX nodes_group_name ON nodes(group_name);
)sql"},
    {2, R"sql(
CREATE TABLE releases (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  metadata_version INTEGER NOT NULL,
  info_hash TEXT NOT NULL UNIQUE,  -- v2, 64 lowercase hex digits
  total_bytes INTEGER NOT NULL,
  file_count INTEGER NOT NULL,
  published_at INTEGER NOT NULL,  -- unix seconds
  PRIMARY KEY (name, version)
);

CREATE TABLE release_status (
  node_id TEXT NOT NULL REFERENCES nodes(id),
  release_name TEXT NOT NULL,
  release_version TEXT NOT NULL,
  state TEXT NOT NULL,
  bytes_done INTEGER NOT NULL,
  bytes_total INTEGER NOT NULL,
  origin_bytes INTEGER NOT NULL,
  peer_bytes_json TEXT NOT NULL,
  error TEXT NOT NULL,
  fallbacks INTEGER NOT NULL,
  hash_failures INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,  -- unix seconds
  PRIMARY KEY (node_id, release_name, release_version),
  FOREIGN KEY (release_name, release_version) REFERENCES releases(name, version)
);
CREATE INDEX release_status_release ON release_status(release_name, release_version);
)sql"},
    {3, R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql"},
};

Status apply_one(sqlite3* db, const Migration& migration) {
  return sql::in_transaction(db, [&]() -> Status {
    if (auto applied = sql::exec(db, migration.sql); !applied) {
      return applied;
    }
    auto record = sql::Statement::prepare(
        db, "INSERT INTO schema_version (version, applied_at) "
            "VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))");
    if (!record) return record.error();
    return record->bind_all(migration.version).run();
  });
}

}  // namespace

std::span<const Migration> registry_migrations() { return kMigrations; }

Result<int> read_schema_version(sqlite3* db) {
  auto version = sql::query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!version) return make_error("read registry schema version", version.error().message);
  return static_cast<int>(*version);
}

Status apply_migrations(sqlite3* db, std::span<const Migration> migrations) {
  if (auto created = sql::exec(db,
                               "CREATE TABLE IF NOT EXISTS schema_version ("
                               "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !created) {
    return make_error("create schema_version table", created.error().message);
  }
  auto current = read_schema_version(db);
  if (!current) return current.error();

  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > latest) {
    return make_error("open registry",
                      "its schema version " + std::to_string(*current) +
                          " is newer than the highest this build knows (" +
                          std::to_string(latest) + "); run a newer cascade-manager");
  }

  int expected = 1;
  for (const Migration& migration : migrations) {
    if (migration.version != expected++) {
      return make_error("apply registry schema migrations",
                        "step " + std::to_string(migration.version) + " is out of order; "
                        "versions must run 1, 2, 3, ... without gaps");
    }
    if (migration.version <= *current) continue;
    if (auto applied = apply_one(db, migration); !applied) {
      return make_error("apply registry schema migration " + std::to_string(migration.version),
                        applied.error().message);
    }
  }
  return ok_status();
}

}  // namespace cascade::manager
