// Registry: releases, node reports about them, and settings.

#include <sqlite3.h>

#include <algorithm>

#include "manager/registry.hpp"
#include "manager/registry_sql.hpp"

namespace cascade::manager {
namespace {

constexpr const char* kSelectRelease =
    "SELECT name, version, metadata_version, info_hash, total_bytes, file_count, published_at "
    "FROM releases";

constexpr const char* kSelectStatus =
    "SELECT node_id, release_name, release_version, state, bytes_done, bytes_total, "
    "origin_bytes, peer_bytes_json, error, fallbacks, hash_failures, updated_at "
    "FROM release_status";

std::string quoted(const std::string& value) { return "'" + value + "'"; }

std::string release_label(const std::string& name, const std::string& version) {
  return "release " + quoted(name) + " version " + quoted(version);
}

bool is_info_hash_hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Release read_release(const sql::Statement& row) {
  Release release;
  release.name = row.text(0);
  release.version = row.text(1);
  release.metadata_version = row.uint64(2);
  release.info_hash = row.text(3);
  release.total_bytes = row.uint64(4);
  release.file_count = row.uint64(5);
  release.published_at = row.int64(6);
  return release;
}

ReleaseStatus read_status(const sql::Statement& row) {
  ReleaseStatus status;
  status.node_id = row.text(0);
  status.release_name = row.text(1);
  status.release_version = row.text(2);
  status.state = row.text(3);
  status.bytes_done = row.uint64(4);
  status.bytes_total = row.uint64(5);
  status.origin_bytes = row.uint64(6);
  status.peer_bytes_json = row.text(7);
  status.error = row.text(8);
  status.fallbacks = static_cast<std::uint32_t>(row.int64(9));
  status.hash_failures = static_cast<std::uint32_t>(row.int64(10));
  status.updated_at = row.int64(11);
  return status;
}

Result<bool> release_exists(sqlite3* db, const std::string& name, const std::string& version) {
  return sql::row_exists(db, "SELECT 1 FROM releases WHERE name = ?1 AND version = ?2", name,
                         version);
}

// Checks the fields of a new release that need no stored data.
Status check_release_fields(const Release& release) {
  if (release.name.empty()) return Error{"the release name is empty"};
  if (release.version.empty()) return Error{"the release version is empty"};
  if (!is_info_hash_hex(release.info_hash)) {
    return Error{"info hash " + quoted(release.info_hash) +
                 " is invalid; expected the v2 info hash as 64 lowercase hex digits"};
  }
  return ok_status();
}

// Checks that the (name, version) and the info hash of a new release are unused.
Status check_new_release(sqlite3* db, const Release& release) {
  auto exists = release_exists(db, release.name, release.version);
  if (!exists) return exists.error();
  if (*exists) return Error{"this release already exists; publish a new version"};

  auto owner =
      sql::Statement::prepare(db, "SELECT name, version FROM releases WHERE info_hash = ?1");
  if (!owner) return owner.error();
  auto row = owner->bind_all(release.info_hash).step();
  if (!row) return row.error();
  if (*row) {
    return Error{"info hash " + release.info_hash + " already belongs to " +
                 release_label(owner->text(0), owner->text(1))};
  }
  return ok_status();
}

// Checks a node report against the stored node and release.
Status check_status_report(sqlite3* db, const ReleaseStatus& status) {
  auto node = sql::row_exists(db, "SELECT 1 FROM nodes WHERE id = ?1", status.node_id);
  if (!node) return node.error();
  if (!*node) return Error{"node not found; check the node id or enrol the node"};

  auto release = release_exists(db, status.release_name, status.release_version);
  if (!release) return release.error();
  if (!*release) return Error{"release not found; report only releases the manager published"};
  return ok_status();
}

Status upsert_status(sqlite3* db, const ReleaseStatus& status) {
  return sql::run(
      db,
      "INSERT INTO release_status (node_id, release_name, release_version, state, bytes_done, "
      "bytes_total, origin_bytes, peer_bytes_json, error, fallbacks, hash_failures, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (node_id, release_name, release_version) DO UPDATE SET "
      "state = excluded.state, bytes_done = excluded.bytes_done, "
      "bytes_total = excluded.bytes_total, origin_bytes = excluded.origin_bytes, "
      "peer_bytes_json = excluded.peer_bytes_json, error = excluded.error, "
      "fallbacks = excluded.fallbacks, hash_failures = excluded.hash_failures, "
      "updated_at = excluded.updated_at",
      status.node_id, status.release_name, status.release_version, status.state,
      status.bytes_done, status.bytes_total, status.origin_bytes, status.peer_bytes_json,
      status.error, status.fallbacks, status.hash_failures, status.updated_at);
}

}  // namespace

Status Registry::add_release(const Release& release) {
  const std::string operation = "add " + release_label(release.name, release.version);
  if (auto valid = check_release_fields(release); !valid) {
    return make_error(operation, valid.error().message);
  }
  Status result = sql::in_transaction(db_, [&]() -> Status {
    if (auto valid = check_new_release(db_, release); !valid) return valid;
    return sql::run(db_,
                    "INSERT INTO releases (name, version, metadata_version, info_hash, "
                    "total_bytes, file_count, published_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    release.name, release.version, release.metadata_version, release.info_hash,
                    release.total_bytes, release.file_count, release.published_at);
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Result<Release> Registry::get_release(const std::string& name, const std::string& version) const {
  const std::string operation = "get " + release_label(name, version);
  auto select = sql::Statement::prepare(
      db_, std::string(kSelectRelease) + " WHERE name = ?1 AND version = ?2");
  if (!select) return make_error(operation, select.error().message);
  auto row = select->bind_all(name, version).step();
  if (!row) return make_error(operation, row.error().message);
  if (!*row) return make_error(operation, "release not found");
  return read_release(*select);
}

std::optional<Release> Registry::find_release_by_info_hash(const std::string& info_hash_hex) const {
  auto select =
      sql::Statement::prepare(db_, std::string(kSelectRelease) + " WHERE info_hash = ?1");
  if (!select) return std::nullopt;
  auto row = select->bind_all(info_hash_hex).step();
  if (!row || !*row) return std::nullopt;
  return read_release(*select);
}

Result<std::vector<Release>> Registry::list_releases() const {
  auto select = sql::Statement::prepare(
      db_, std::string(kSelectRelease) + " ORDER BY published_at, name, version");
  if (!select) return make_error("list releases", select.error().message);
  std::vector<Release> releases;
  while (true) {
    auto row = select->step();
    if (!row) return make_error("list releases", row.error().message);
    if (!*row) break;
    releases.push_back(read_release(*select));
  }
  return releases;
}

Result<std::uint64_t> Registry::latest_metadata_version() const {
  auto latest = sql::query_int64(db_, "SELECT COALESCE(MAX(metadata_version), 0) FROM releases");
  if (!latest) return make_error("read latest metadata version", latest.error().message);
  return static_cast<std::uint64_t>(*latest);
}

Status Registry::record_status(const ReleaseStatus& status) {
  const std::string operation = "record status of node " + quoted(status.node_id) + " for " +
                                release_label(status.release_name, status.release_version);
  if (status.state != "downloading" && status.state != "done" && status.state != "failed") {
    return make_error(operation, "state " + quoted(status.state) +
                                     " is invalid; expected 'downloading', 'done' or 'failed'");
  }
  Status result = sql::in_transaction(db_, [&]() -> Status {
    if (auto valid = check_status_report(db_, status); !valid) return valid;
    return upsert_status(db_, status);
  });
  if (!result) return make_error(operation, result.error().message);
  return result;
}

Result<std::vector<ReleaseStatus>> Registry::list_status(const std::string& release_name,
                                                         const std::string& release_version) const {
  const std::string operation = "list status of " + release_label(release_name, release_version);
  auto exists = release_exists(db_, release_name, release_version);
  if (!exists) return make_error(operation, exists.error().message);
  if (!*exists) return make_error(operation, "release not found");

  auto select = sql::Statement::prepare(
      db_, std::string(kSelectStatus) +
               " WHERE release_name = ?1 AND release_version = ?2 ORDER BY node_id");
  if (!select) return make_error(operation, select.error().message);
  select->bind_all(release_name, release_version);
  std::vector<ReleaseStatus> statuses;
  while (true) {
    auto row = select->step();
    if (!row) return make_error(operation, row.error().message);
    if (!*row) break;
    statuses.push_back(read_status(*select));
  }
  return statuses;
}

Status Registry::set_setting(const std::string& key, const std::string& value) {
  if (key.empty()) return make_error("set setting", "the key is empty");
  Status result = sql::run(db_,
                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           key, value);
  if (!result) return make_error("set setting " + quoted(key), result.error().message);
  return result;
}

std::optional<std::string> Registry::get_setting(const std::string& key) const {
  auto select = sql::Statement::prepare(db_, "SELECT value FROM settings WHERE key = ?1");
  if (!select) return std::nullopt;
  auto row = select->bind_all(key).step();
  if (!row || !*row) return std::nullopt;
  return select->text(0);
}

}  // namespace cascade::manager
